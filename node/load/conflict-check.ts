import { quoteIdentifier, quoteTable } from '../../shared/mysql/flavor.ts';
import type { Row } from '../../shared/model/change.ts';
import type { KeyExpectation } from './merge.ts';
import { appendLiteral } from './sql-literal.ts';
import type { TargetTable } from './target-tables.ts';

/** Keys per check statement, as many as a write statement's rows. */
export const KEYS_PER_CHECK = 500;

/** Column types compared as text: byte for byte, so case-insensitive collations and PAD SPACE do not hide a difference. */
const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json']);

/** The flags the check reads per key (columns `i`, `e`, `f`, `n` of its answer). */
export interface CheckAnswerRow {
  /** Which entry of the statement the row is. */
  i: number | string;
  /** 1 when the row is the expected before image. */
  e: number | string | null;
  /** 1 when the row is already the final image. */
  f: number | string | null;
  /** newer-wins: 1 the incoming image is newer, 0 a tie, -1 the target's is; NULL when either lacks one. */
  n?: number | string | null;
}

/**
 * `column <=> value` as the check compares it: NULL-safe, and exact. Text compares as bytes
 * (utf8mb4, the connection's charset: the literal's bytes are utf8mb4 too), not under the
 * column's collation, so 'A' against 'a' or 'a ' against 'a' differ. A FLOAT column compares
 * with the literal made a FLOAT, as writing it would store it (the decoded double of a float
 * read back as double equals it, but a FLOAT is compared as DOUBLE otherwise: keep both exact).
 * Everything else compares in the column's own type, with the literal statements.ts writes.
 */
export function appendColumnMatch(parts: string[], column: string, type: string | undefined, value: unknown): void {
  const name = quoteIdentifier(column);
  if (value === null || value === undefined) {
    parts.push(name, ' IS NULL');
    return;
  }
  if (type !== undefined && TEXT_TYPES.has(type)) {
    if (Buffer.isBuffer(value)) parts.push('BINARY ', name, ' <=> ');
    else parts.push('BINARY CONVERT(', name, ' USING utf8mb4) <=> BINARY ');
    appendLiteral(parts, value);
    return;
  }
  if (type === 'float') {
    parts.push(name, ' <=> CAST(');
    appendLiteral(parts, value);
    parts.push(' AS FLOAT)');
    return;
  }
  parts.push(name, ' <=> ');
  appendLiteral(parts, value);
}

/** `(c1 match AND c2 match ...)` over the image's columns the target has (generated ones left out: the server computes them). */
export function appendImageMatch(parts: string[], table: TargetTable, image: Row): void {
  let first = true;
  parts.push('(');
  for (const column in image) {
    if (!table.writable.has(column)) continue;
    if (!first) parts.push(' AND ');
    first = false;
    appendColumnMatch(parts, column, table.types?.get(column), image[column]);
  }
  if (first) parts.push('1');
  parts.push(')');
}

function appendKey(parts: string[], key: string[], row: Row): void {
  if (key.length === 1) {
    appendLiteral(parts, row[key[0]!]);
    return;
  }
  parts.push('(');
  key.forEach((column, i) => {
    if (i > 0) parts.push(',');
    appendLiteral(parts, row[column]);
  });
  parts.push(')');
}

/** `CASE WHEN <key> = <k1> THEN <flag of k1> ... END AS <alias>`; `flag` appends a key's flag expression. */
function appendCase(parts: string[], key: string[], entries: KeyExpectation[], flag: (parts: string[], entry: KeyExpectation, index: number) => void, alias: string): void {
  const keyText = key.length === 1 ? quoteIdentifier(key[0]!) : `(${key.map(quoteIdentifier).join(',')})`;
  parts.push(', CASE');
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    parts.push(' WHEN ', keyText, ' = ');
    appendKey(parts, key, entry.keyRow);
    parts.push(' THEN ');
    flag(parts, entry, index);
  }
  parts.push(' END AS ', alias);
}

/**
 * One statement that locks the rows of `entries`' keys on the target and says per row whether
 * it is the expected before image (`e`), already the final image (`f`), and, with a
 * `timestampColumn`, which of the final image and the row is newer (`n`, compared by the
 * server in the column's type). Keys absent from the answer are absent on the target. One
 * round trip per chunk of keys, never one per row. `FOR UPDATE`: no other writer changes a
 * checked row before the batch commits.
 */
export function checkStatement(table: TargetTable, key: string[], entries: KeyExpectation[], timestampColumn?: string): string {
  const parts: string[] = ['SELECT 0'];
  // The entry each row answers, as the server matched it (its collation, its types): never matched again in JavaScript.
  appendCase(parts, key, entries, (p, _entry, index) => p.push(String(index)), 'i');
  appendCase(parts, key, entries, (p, entry) => {
    if (entry.expected === null) p.push('0');
    else appendImageMatch(p, table, entry.expected);
  }, 'e');
  appendCase(parts, key, entries, (p, entry) => {
    if (entry.final === null) p.push('0');
    else appendImageMatch(p, table, entry.final);
  }, 'f');
  if (timestampColumn !== undefined) {
    const ts = quoteIdentifier(timestampColumn);
    appendCase(parts, key, entries, (p, entry) => {
      const incoming = entry.final?.[timestampColumn];
      if (incoming === null || incoming === undefined) {
        p.push('NULL');
        return;
      }
      p.push('CASE WHEN ', ts, ' < ');
      appendLiteral(p, incoming);
      p.push(' THEN 1 WHEN ', ts, ' = ');
      appendLiteral(p, incoming);
      p.push(' THEN 0 WHEN ', ts, ' > ');
      appendLiteral(p, incoming);
      p.push(' THEN -1 END');
    }, 'n');
  }
  parts.push(' FROM ', quoteTable(table.schema, table.table), ' WHERE ', key.length === 1 ? quoteIdentifier(key[0]!) : `(${key.map(quoteIdentifier).join(',')})`, ' IN (');
  entries.forEach((entry, i) => {
    if (i > 0) parts.push(',');
    appendKey(parts, key, entry.keyRow);
  });
  parts.push(') FOR UPDATE');
  return parts.join('');
}

/** The whole rows of `entries`' keys, each with the entry it answers (`i`): the target's version of conflicting rows. */
export function currentRowsStatement(table: TargetTable, key: string[], entries: KeyExpectation[]): string {
  const parts: string[] = ['SELECT 0'];
  appendCase(parts, key, entries, (p, _entry, index) => p.push(String(index)), '__ferry_entry');
  parts.push(', t.* FROM ', quoteTable(table.schema, table.table), ' AS t WHERE ', key.length === 1 ? quoteIdentifier(key[0]!) : `(${key.map(quoteIdentifier).join(',')})`, ' IN (');
  entries.forEach((entry, i) => {
    if (i > 0) parts.push(',');
    appendKey(parts, key, entry.keyRow);
  });
  parts.push(')');
  return parts.join('');
}

/**
 * Rows holding any of `rows`' values of the secondary unique key `columns`, with the table's
 * key: a write of the batch would meet them. Rows with a NULL part are left out (NULL meets nothing).
 */
export function uniqueProbeStatement(table: TargetTable, key: string[], columns: string[], rows: Row[]): string | undefined {
  const probed = rows.filter((row) => columns.every((column) => row[column] !== null && row[column] !== undefined));
  if (probed.length === 0) return undefined;
  const selected = [...new Set([...key, ...columns])];
  const parts: string[] = ['SELECT ', selected.map(quoteIdentifier).join(','), ' FROM ', quoteTable(table.schema, table.table), ' WHERE '];
  parts.push(columns.length === 1 ? quoteIdentifier(columns[0]!) : `(${columns.map(quoteIdentifier).join(',')})`, ' IN (');
  probed.forEach((row, i) => {
    if (i > 0) parts.push(',');
    appendKey(parts, columns, row);
  });
  parts.push(') FOR UPDATE');
  return parts.join('');
}
