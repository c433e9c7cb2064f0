import type { TableRef } from '../../shared/model/change.ts';
import type { TableMapping } from '../../shared/model/table-mapping.ts';
import { quoteTable } from '../../shared/mysql/flavor.ts';

/** A DDL statement as Ferry understands it: which tables it names, and where in the text. */
export interface ParsedDdl {
  kind: 'create' | 'alter' | 'drop' | 'truncate' | 'rename' | 'index' | 'other';
  /** Table references in order of appearance, with their spans in the statement. */
  tables: Array<TableRef & { start: number; end: number }>;
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
    let cursor = head[0].length;
    for (;;) {
      nameAt.lastIndex = cursor;
      const match = nameAt.exec(body);
      if (!match) break;
      const start = offset + cursor + (match[0].length - match[0].trimStart().length);
      const first = unquote(match[1]!);
      const second = match[2] === undefined ? undefined : unquote(match[2]);
      tables.push({ schema: second === undefined ? defaultSchema : first, table: second ?? first, start, end: offset + nameAt.lastIndex });
      cursor = nameAt.lastIndex;
      const separator = shape.list === 'comma' ? /^\s*,/ : shape.list === 'rename' ? /^\s*(?:TO|,)/i : undefined;
      const next = separator?.exec(body.slice(cursor));
      if (!next) break;
      cursor += next[0].length;
    }
    return { kind: shape.kind, tables };
  }
  return { kind: 'other', tables: [] };
}

/** True when the statement names at least one replicated table. */
export function touchesReplicatedTables(ddl: ParsedDdl, mapping: TableMapping): boolean {
  return ddl.tables.some((t) => mapping.mapTable(t.schema, t.table) !== undefined);
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
