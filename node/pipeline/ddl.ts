import type { TableRef } from '../../shared/model/change.ts';
import type { TableMapping } from '../../shared/model/table-mapping.ts';
import { quoteTable } from '../../shared/mysql/flavor.ts';

/** A DDL statement as Ferry understands it: which tables it names, and where in the text. */
export interface ParsedDdl {
  kind: 'create' | 'alter' | 'drop' | 'truncate' | 'rename' | 'index' | 'drop-schema' | 'other';
  /** The schema of DROP DATABASE / DROP SCHEMA. */
  schema?: string;
  /**
   * Table references in order of appearance, with their spans in the statement. `read` marks
   * a table the statement only reads (the template of CREATE TABLE ... LIKE): it is renamed
   * like the others but does not make the statement one on a replicated table.
   */
  tables: Array<TableRef & { start: number; end: number; read?: true }>;
}

const IDENT = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)';
const NAME = `(${IDENT})(?:\\s*\\.\\s*(${IDENT}))?`;

const unquote = (identifier: string): string => (identifier.startsWith('`') ? identifier.slice(1, -1).replace(/``/g, '`') : identifier);

/** Strips leading comments (/* ... *\/, -- ..., # ...) that clients put before statements. */
function leadingCommentLength(sql: string): number {
  const match = /^(?:\s+|\/\*[\s\S]*?\*\/|--[^\n]*\n|#[^\n]*\n)*/.exec(sql);
  return match ? match[0].length : 0;
}

interface Shape {
  kind: ParsedDdl['kind'];
  /** Matches from the start of the statement up to the first table name. */
  head: RegExp;
  /** Several names separated by commas (DROP TABLE a, b), or RENAME's `a TO b, c TO d`. */
  list?: 'comma' | 'rename';
}

const SHAPES: Shape[] = [
  { kind: 'create', head: /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?/i },
  { kind: 'alter', head: /^ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?/i },
  { kind: 'drop', head: /^DROP\s+(?:TEMPORARY\s+)?TABLES?\s+(?:IF\s+EXISTS\s+)?/i, list: 'comma' },
  { kind: 'truncate', head: /^TRUNCATE\s+(?:TABLE\s+)?/i },
  { kind: 'rename', head: /^RENAME\s+TABLES?\s+/i, list: 'rename' },
  { kind: 'index', head: /^(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?\S+\s+ON\s+/i },
];

/**
 * Finds the tables a DDL statement names (a small parser for the statements that change
 * tables, not a full SQL grammar). Statements that name no table (GRANT, CREATE USER, ...)
 * come back as kind 'other' with no tables.
 */
export function parseDdl(sql: string, defaultSchema: string): ParsedDdl {
  const offset = leadingCommentLength(sql);
  const body = sql.slice(offset);
  for (const shape of SHAPES) {
    const head = shape.head.exec(body);
    if (!head) continue;
    const tables: ParsedDdl['tables'] = [];
    const nameAt = new RegExp(`\\s*${NAME}`, 'y');
    /** The table name at `from` in body, added to `tables`; where it ends, or undefined if none. */
    const takeName = (from: number, read = false): number | undefined => {
      nameAt.lastIndex = from;
      const match = nameAt.exec(body);
      if (!match) return undefined;
      const start = offset + from + (match[0].length - match[0].trimStart().length);
      const first = unquote(match[1]!);
      const second = match[2] === undefined ? undefined : unquote(match[2]);
      tables.push({ schema: second === undefined ? defaultSchema : first, table: second ?? first, start, end: offset + nameAt.lastIndex, ...(read ? { read: true as const } : {}) });
      return nameAt.lastIndex;
    };
    let cursor = head[0].length;
    for (;;) {
      const end = takeName(cursor);
      if (end === undefined) break;
      cursor = end;
      const separator = shape.list === 'comma' ? /^\s*,/ : shape.list === 'rename' ? /^\s*(?:TO|,)/i : undefined;
      const next = separator?.exec(body.slice(cursor));
      if (!next) break;
      cursor += next[0].length;
    }
    if (tables.length > 0 && shape.kind === 'create') {
      // CREATE TABLE t LIKE template, or CREATE TABLE t (LIKE template).
      const like = /\s*\(?\s*LIKE\b/iy;
      like.lastIndex = cursor;
      if (like.exec(body)) takeName(like.lastIndex, true);
    }
    if (tables.length > 0 && shape.kind === 'alter') {
      // ALTER TABLE t ..., RENAME [TO | AS] new_name (not RENAME COLUMN / INDEX / KEY).
      for (const word of bareWords(body, cursor)) {
        if (word.text.toUpperCase() !== 'RENAME') continue;
        if (/\s+(?:COLUMN|INDEX|KEY)\b/iy.test(body.slice(word.end, word.end + 16))) continue;
        const to = /\s+(?:(?:TO|AS)\b)?/iy;
        to.lastIndex = word.end;
        if (to.exec(body)) takeName(to.lastIndex);
      }
      tables.sort((a, b) => a.start - b.start);
    }
    return { kind: shape.kind, tables };
  }
  const dropSchema = new RegExp(`^DROP\\s+(?:DATABASE|SCHEMA)\\s+(?:IF\\s+EXISTS\\s+)?(${IDENT})`, 'i').exec(body);
  if (dropSchema) return { kind: 'drop-schema', tables: [], schema: unquote(dropSchema[1]!) };
  return { kind: 'other', tables: [] };
}

/** True when the statement changes at least one replicated table (or makes one, by name). */
export function touchesReplicatedTables(ddl: ParsedDdl, mapping: TableMapping): boolean {
  return ddl.tables.some((t) => t.read !== true && mapping.mapTable(t.schema, t.table) !== undefined);
}

/**
 * The bare words of `sql` from `from` on outside parentheses, skipping quoted strings,
 * quoted identifiers and comments: where a clause keyword such as RENAME can be.
 */
function* bareWords(sql: string, from: number): Generator<{ text: string; start: number; end: number }> {
  const word = /[A-Za-z0-9_$]+/y;
  let depth = 0;
  let index = from;
  while (index < sql.length) {
    const char = sql[index]!;
    if (char === "'" || char === '"' || char === '`') {
      index = quotedEnd(sql, index);
    } else if (sql.startsWith('/*', index)) {
      const end = sql.indexOf('*/', index + 2);
      index = end < 0 ? sql.length : end + 2;
    } else if (char === '#' || (sql.startsWith('--', index) && /\s/.test(sql[index + 2] ?? ' '))) {
      const end = sql.indexOf('\n', index);
      index = end < 0 ? sql.length : end + 1;
    } else if (char === '(' || char === ')') {
      depth += char === '(' ? 1 : -1;
      index++;
    } else {
      word.lastIndex = index;
      const match = word.exec(sql);
      if (!match) {
        index++;
        continue;
      }
      if (depth === 0) yield { text: match[0], start: index, end: index + match[0].length };
      index += match[0].length;
    }
  }
}

/** The index after the quoted string or identifier opening at `start` ('', "" and `` double; \\ escapes in strings). */
function quotedEnd(sql: string, start: number): number {
  const quote = sql[start]!;
  let index = start + 1;
  while (index < sql.length) {
    const char = sql[index]!;
    if (char === '\\' && quote !== '`') {
      index += 2;
    } else if (char === quote) {
      if (sql[index + 1] !== quote) return index + 1;
      index += 2;
    } else {
      index++;
    }
  }
  return sql.length;
}

/**
 * The statement with every replicated table name replaced by its target name, fully
 * qualified. Column renames are not rewritten: DDL naming a renamed column needs a hand.
 */
export function rewriteDdl(sql: string, ddl: ParsedDdl, mapping: TableMapping): string {
  let out = '';
  let cursor = 0;
  for (const table of ddl.tables) {
    const mapped = mapping.mapTable(table.schema, table.table);
    const target = mapped?.target ?? table;
    out += sql.slice(cursor, table.start) + quoteTable(target.schema, target.table);
    cursor = table.end;
  }
  return out + sql.slice(cursor);
}
