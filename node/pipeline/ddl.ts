import type { TableRef } from '../../shared/model/change.ts';
import { isKeyword, tokenize, type SqlToken } from '../../shared/mysql/sql-tokens.ts';
import { StatementCursor, type NamedTable } from './ddl-cursor.ts';

export type { NamedTable } from './ddl-cursor.ts';

/**
 * A statement of a binlog query event as Ferry understands it.
 * - table DDL (`create`, `alter`, `drop`, `truncate`, `rename`, `index`): `tables` are the tables it names;
 * - `drop-schema`: DROP DATABASE / SCHEMA of `schema`;
 * - `dml`: a row change logged as a statement (statement-based logging in a session): `tables` are the tables it writes;
 * - `no-table`: a statement that changes neither a table's rows nor its definition (GRANT, CREATE VIEW, TRIGGER, ...);
 * - `unknown`: anything else; `tables` are every name in it that could be a table.
 */
export interface ParsedDdl {
  kind: 'create' | 'alter' | 'drop' | 'truncate' | 'rename' | 'index' | 'drop-schema' | 'dml' | 'no-table' | 'unknown';
  schema?: string;
  tables: NamedTable[];
  /** CREATE / DROP TEMPORARY TABLE: a session's table, never a replicated one. */
  temporary?: true;
  /** The renames of RENAME TABLE and ALTER TABLE ... RENAME TO, in order. */
  renames?: Array<{ from: TableRef; to: TableRef }>;
  /** Why a `unknown` statement is not understood, for the operator. */
  reason?: string;
}

/** Objects whose CREATE / ALTER / DROP changes no table's rows or definition. */
const NO_TABLE_OBJECTS = new Set(['DATABASE', 'SCHEMA', 'USER', 'ROLE', 'VIEW', 'TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT', 'SERVER', 'PACKAGE', 'TABLESPACE', 'LOGFILE', 'RESOURCE', 'REFERENCE', 'UNDO', 'INSTANCE']);
/** First words of statements that change no table's rows or definition (REPAIR can drop rows: not here). */
const NO_TABLE_STATEMENTS = new Set(['GRANT', 'REVOKE', 'FLUSH', 'ANALYZE', 'OPTIMIZE', 'CHECK', 'CHECKSUM', 'INSTALL', 'UNINSTALL', 'SET']);
/**
 * Reserved words: never an unquoted table name, so not a candidate in a statement Ferry does
 * not understand (a subset of MySQL's list: the words such statements are made of).
 */
const RESERVED = new Set(
  ('ADD ALL ALTER AND AS ASC BEFORE BETWEEN BY CALL CASCADE CASE CHANGE CHECK COLUMN CONSTRAINT CONVERT CREATE CROSS DATABASE DEFAULT DELAYED ' +
    'DELETE DESC DISTINCT DROP EACH ELSE EXISTS FALSE FOR FOREIGN FROM FULLTEXT GRANT GROUP HAVING IF IGNORE IN INDEX INNER INSERT INTO IS JOIN ' +
    'KEY KEYS LEFT LIKE LIMIT LOAD LOCK NOT NULL ON OPTIMIZE OR ORDER OUTER PARTITION PRIMARY PROCEDURE REFERENCES RENAME REPLACE RESTRICT RIGHT ' +
    'SCHEMA SELECT SET SPATIAL TABLE THEN TO TRIGGER TRUE UNION UNIQUE UPDATE USING VALUES WHEN WHERE WITH').split(' '),
);

/**
 * Classifies a statement from a binlog query event and finds the tables it names, after a
 * real lexing pass (comments, versioned comments, quoted names, any case). `defaultSchema`
 * is the schema the statement ran in (the event's), for unqualified names.
 */
export function parseDdl(sql: string, defaultSchema: string): ParsedDdl {
  const tokens = new StatementCursor(tokenize(sql));
  // MariaDB's SET STATEMENT var = value [, ...] FOR statement: the statement is what counts.
  if (isKeyword(tokens.peek, 'SET') && isKeyword(tokens.list[1], 'STATEMENT')) {
    const at = tokens.find('FOR', 2);
    if (at < 0) return unknown(tokens.list, defaultSchema, 'SET STATEMENT without FOR');
    tokens.index = at + 1;
  }
  const first = tokens.peek;
  if (first?.type !== 'word') return unknown(tokens.list, defaultSchema, 'no statement keyword');
  const verb = first.value.toUpperCase();
  tokens.index++;
  switch (verb) {
    case 'CREATE':
    case 'ALTER':
    case 'DROP':
      return objectStatement(verb, tokens, defaultSchema);
    case 'TRUNCATE': {
      tokens.take('TABLE');
      return tableList('truncate', tokens, defaultSchema, false);
    }
    case 'RENAME':
      if (tokens.take('USER')) return { kind: 'no-table', tables: [] };
      if (!tokens.take('TABLE') && !tokens.take('TABLES')) return unknown(tokens.list, defaultSchema, 'RENAME of an unknown object');
      return renameTables(tokens, defaultSchema);
    case 'INSERT':
    case 'REPLACE':
    case 'UPDATE':
    case 'DELETE':
    case 'LOAD':
      return dml(verb, tokens, defaultSchema);
    default:
      if (NO_TABLE_STATEMENTS.has(verb) && !(verb === 'SET' && !isKeyword(tokens.peek, 'PASSWORD', 'DEFAULT', 'ROLE'))) return { kind: 'no-table', tables: [] };
      return unknown(tokens.list, defaultSchema, verb === 'REPAIR' ? 'REPAIR TABLE may drop rows without logging them' : `${verb} statement`);
  }
}

/** CREATE / ALTER / DROP of a table, an index, a schema, or an object that holds no rows. */
function objectStatement(verb: 'CREATE' | 'ALTER' | 'DROP', tokens: StatementCursor, defaultSchema: string): ParsedDdl {
  const modifiers = tokens.skipOptions();
  const temporary = modifiers.has('TEMPORARY') ? { temporary: true as const } : {};
  const object = tokens.peek?.type === 'word' ? tokens.peek.value.toUpperCase() : '';
  tokens.index++;
  if (object === 'TABLE' || (verb === 'DROP' && object === 'TABLES')) {
    tokens.take('IF', 'NOT', 'EXISTS');
    tokens.take('IF', 'EXISTS');
    if (verb === 'DROP') return { ...tableList('drop', tokens, defaultSchema, true), ...temporary };
    const table = tokens.name(defaultSchema);
    if (!table) return unknown(tokens.list, defaultSchema, `${verb} TABLE without a table name`);
    if (verb === 'CREATE') return { kind: 'create', tables: createLike(table, tokens, defaultSchema), ...temporary };
    return alterTable(table, tokens, defaultSchema);
  }
  if (object === 'INDEX' || object === 'KEY') {
    // CREATE INDEX i ON t (...), DROP INDEX i ON t.
    const on = tokens.find('ON');
    tokens.index = on + 1;
    const table = on < 0 ? undefined : tokens.name(defaultSchema);
    return table ? { kind: 'index', tables: [table] } : unknown(tokens.list, defaultSchema, `${verb} INDEX without ON table`);
  }
  if (verb === 'DROP' && (object === 'DATABASE' || object === 'SCHEMA')) {
    tokens.take('IF', 'EXISTS');
    const name = tokens.peek;
    if (name?.type !== 'word' && name?.type !== 'quoted') return unknown(tokens.list, defaultSchema, 'DROP DATABASE without a name');
    return { kind: 'drop-schema', tables: [], schema: name.value };
  }
  if (NO_TABLE_OBJECTS.has(object)) return { kind: 'no-table', tables: [] };
  return unknown(tokens.list, defaultSchema, `${verb} ${object || 'of an unknown object'}`);
}

/** CREATE TABLE t LIKE u, or CREATE TABLE t (LIKE u): u is read. */
function createLike(table: NamedTable, tokens: StatementCursor, defaultSchema: string): NamedTable[] {
  const parenthesised = tokens.symbol('(');
  if (!tokens.take('LIKE')) return [table];
  const template = tokens.name(defaultSchema, true);
  if (parenthesised) tokens.symbol(')');
  return template ? [table, template] : [table];
}

/** ALTER TABLE t ...: the clauses that name a second table (RENAME TO, EXCHANGE / CONVERT PARTITION). */
function alterTable(table: NamedTable, tokens: StatementCursor, defaultSchema: string): ParsedDdl {
  const tables = [table];
  const renames: NonNullable<ParsedDdl['renames']> = [];
  /** The table's name after the RENAME clauses seen so far. */
  let current: TableRef = table;
  let depth = 0;
  while (tokens.index < tokens.list.length) {
    const token = tokens.peek!;
    if (token.type === 'symbol' && (token.value === '(' || token.value === ')')) depth += token.value === '(' ? 1 : -1;
    if (depth !== 0 || token.type !== 'word') {
      tokens.index++;
      continue;
    }
    if (tokens.take('RENAME')) {
      if (isKeyword(tokens.peek, 'COLUMN', 'INDEX', 'KEY', 'CONSTRAINT')) continue;
      if (!tokens.take('TO')) tokens.take('AS');
      const to = tokens.name(defaultSchema);
      if (to) {
        renames.push({ from: current, to });
        tables.push(to);
        current = to;
      }
    } else if (tokens.take('WITH', 'TABLE') || tokens.take('TO', 'TABLE') || tokens.take('CONVERT', 'TABLE')) {
      // EXCHANGE PARTITION p WITH TABLE u, CONVERT PARTITION p TO TABLE u, CONVERT TABLE u TO PARTITION p: u's rows change.
      const other = tokens.name(defaultSchema);
      if (other) tables.push(other);
    } else {
      tokens.index++;
    }
  }
  return { kind: 'alter', tables, ...(renames.length > 0 ? { renames } : {}) };
}

/** TRUNCATE t, DROP TABLE a, b: a comma-separated list of names. */
function tableList(kind: 'truncate' | 'drop', tokens: StatementCursor, defaultSchema: string, several: boolean): ParsedDdl {
  const tables: NamedTable[] = [];
  do {
    const table = tokens.name(defaultSchema);
    if (!table) return unknown(tokens.list, defaultSchema, `${kind.toUpperCase()} without a table name`);
    tables.push(table);
  } while (several && tokens.symbol(','));
  return { kind, tables };
}

/** RENAME TABLE [IF EXISTS] a [WAIT n | NOWAIT] TO b, c TO d. */
function renameTables(tokens: StatementCursor, defaultSchema: string): ParsedDdl {
  tokens.take('IF', 'EXISTS');
  const tables: NamedTable[] = [];
  const renames: NonNullable<ParsedDdl['renames']> = [];
  do {
    const from = tokens.name(defaultSchema);
    if (tokens.take('WAIT')) tokens.index++;
    tokens.take('NOWAIT');
    const to = tokens.take('TO') ? tokens.name(defaultSchema) : undefined;
    if (!from || !to) return unknown(tokens.list, defaultSchema, 'RENAME TABLE not of the form a TO b');
    tables.push(from, to);
    renames.push({ from, to });
  } while (tokens.symbol(','));
  return { kind: 'rename', tables, renames };
}

/**
 * A row change logged as a statement: the tables it writes. INSERT / REPLACE [INTO] t,
 * LOAD DATA ... INTO TABLE t, DELETE [t1, t2] FROM t [USING ...]; UPDATE names every table
 * of its table references (which of them SET writes is not worked out).
 */
function dml(verb: string, tokens: StatementCursor, defaultSchema: string): ParsedDdl {
  const modifiers = ['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE', 'QUICK', 'CONCURRENT', 'LOCAL'];
  const skipModifiers = (): void => {
    while (isKeyword(tokens.peek, ...modifiers)) tokens.index++;
  };
  skipModifiers();
  const names = (stop: string[]): NamedTable[] => {
    const found: NamedTable[] = [];
    while (tokens.index < tokens.list.length && !isKeyword(tokens.peek, ...stop)) {
      const name = tokens.peek?.type === 'word' && isKeyword(tokens.peek, 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'STRAIGHT_JOIN', 'NATURAL', 'OUTER', 'AS', 'ON') ? undefined : tokens.name(defaultSchema);
      if (name) found.push(name);
      else tokens.index++;
    }
    return found;
  };
  let tables: NamedTable[] = [];
  if (verb === 'INSERT' || verb === 'REPLACE') {
    tokens.take('INTO');
    const table = tokens.name(defaultSchema);
    if (table) tables = [table];
  } else if (verb === 'LOAD') {
    const into = tokens.find('INTO');
    tokens.index = into + 1;
    tokens.take('TABLE');
    const table = into < 0 ? undefined : tokens.name(defaultSchema);
    if (table) tables = [table];
  } else if (verb === 'UPDATE') {
    tables = names(['SET']);
  } else if (tokens.take('FROM')) {
    // DELETE FROM t WHERE ..., DELETE FROM t1, t2 USING ...
    tables = names(['WHERE', 'USING', 'ORDER', 'LIMIT', 'RETURNING', 'PARTITION']);
  } else {
    // DELETE t1, t2 FROM ...
    tables = names(['FROM']);
  }
  if (tables.length === 0) return unknown(tokens.list, defaultSchema, `${verb} without a table name`);
  return { kind: 'dml', tables };
}

/** A statement Ferry does not understand: every name in it that could be a table is a candidate. */
function unknown(list: SqlToken[], defaultSchema: string, reason: string): ParsedDdl {
  const tables: NamedTable[] = [];
  const nameLike = (token: SqlToken | undefined): token is SqlToken =>
    token !== undefined && ((token.type === 'word' && !RESERVED.has(token.value.toUpperCase())) || token.type === 'quoted' || token.doubleQuoted === true);
  // The first word is the statement's verb, not a name.
  for (let k = 1; k < list.length; k++) {
    const token = list[k]!;
    if (!nameLike(token)) continue;
    const dot = list[k + 1];
    const second = list[k + 2];
    if (dot?.type === 'symbol' && dot.value === '.' && nameLike(second)) {
      tables.push({ schema: token.value, table: second.value, start: token.start, end: second.end });
      k += 2;
    } else {
      tables.push({ schema: defaultSchema, table: token.value, start: token.start, end: token.end });
    }
  }
  return { kind: 'unknown', tables, reason };
}
