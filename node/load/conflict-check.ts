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
  e?: number | string | null;
  /** 1 when the row is already the final image. */
  f?: number | string | null;
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

/** Key column types FIELD() compares as `=` does: integers as integers, strings under the column's collation, bytes as bytes. */
const FIELD_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'char', 'varchar', 'binary', 'varbinary']);

/**
 * `FIELD(k, k1, ..., kn)` when the key is one column of a type FIELD() compares exactly, with
 * literals of that kind; otherwise undefined (the statement uses CASE). FIELD scans constants:
 * measured 10x faster than a CASE of 500 branches, which evaluates an expression per branch.
 */
function fieldOf(table: TargetTable, key: string[], entries: KeyExpectation[]): string | undefined {
  if (key.length !== 1) return undefined;
  const column = key[0]!;
  const type = table.types?.get(column);
  if (type === undefined || !FIELD_TYPES.has(type)) return undefined;
  const integer = type.endsWith('int');
  const parts: string[] = ['FIELD(', quoteIdentifier(column)];
  for (const entry of entries) {
    const value = entry.keyRow[column];
    if (integer ? typeof value !== 'number' && typeof value !== 'bigint' : typeof value !== 'string' && !Buffer.isBuffer(value)) return undefined;
    parts.push(',');
    appendLiteral(parts, value);
  }
  parts.push(')');
  return parts.join('');
}

/**
 * Per row, the flag of the entry it answers: `ELT(FIELD(...), flag1, ...)` (ELT evaluates only
 * the chosen argument), or `CASE WHEN <key> = <k1> THEN <flag of k1> ... END`. `flag` appends
 * an entry's flag expression.
 */
function appendCase(parts: string[], key: string[], entries: KeyExpectation[], flag: (parts: string[], entry: KeyExpectation, index: number) => void, alias: string, field?: string): void {
  if (field !== undefined) {
    parts.push(', ELT(', field);
    for (let index = 0; index < entries.length; index++) {
      parts.push(',');
      flag(parts, entries[index]!, index);
    }
    parts.push(') AS ', alias);
    return;
  }
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

/** The entry index column `i`: FIELD's position less one (-1: FIELD matched none, see checkStatement), or a CASE. */
function appendIndex(parts: string[], key: string[], entries: KeyExpectation[], alias: string, field?: string): void {
  if (field !== undefined) parts.push(', ', field, ' - 1 AS ', alias);
  else appendCase(parts, key, entries, (p, _entry, index) => p.push(String(index)), alias);
}

/**
 * Which flags a check asks for. The first check of a batch asks only `expected` (half the
 * expressions: the server's cost grows with them, measured); the keys whose row is not the
 * expected image are asked again for `final` (and the timestamps): only conflicts, and keys
 * both sides changed alike, pay for it.
 */
export interface CheckFlags {
  expected: boolean;
  final: boolean;
  /** newer-wins: compare this column too (with `final`). */
  timestampColumn?: string;
}

/**
 * One statement that locks the rows of `entries`' keys on the target and says per row whether
 * it is the expected before image (`e`), already the final image (`f`), and, with a
 * `timestampColumn`, which of the final image and the row is newer (`n`, compared by the
 * server in the column's type). Keys absent from the answer are absent on the target. One
 * round trip per chunk of keys, never one per row. A row whose `i` is -1 was found by the
 * key's `IN` but not by FIELD (their comparisons disagree): the caller asks again with
 * `useField` false. `FOR UPDATE`: no other writer changes a
 * checked row before the batch commits.
 */
export function checkStatement(table: TargetTable, key: string[], entries: KeyExpectation[], flags: CheckFlags, useField = true): string {
  const field = useField ? fieldOf(table, key, entries) : undefined;
  const parts: string[] = ['SELECT 0'];
  // The entry each row answers, as the server matched it (its collation, its types): never matched again in JavaScript.
  appendIndex(parts, key, entries, 'i', field);
  if (flags.expected) {
    appendCase(parts, key, entries, (p, entry) => {
      if (entry.expected === null) p.push('0');
      else appendImageMatch(p, table, entry.expected);
    }, 'e', field);
  }
  if (flags.final) {
    appendCase(parts, key, entries, (p, entry) => {
      if (entry.final === null) p.push('0');
      else appendImageMatch(p, table, entry.final);
    }, 'f', field);
  }
  const timestampColumn = flags.timestampColumn;
  if (flags.final && timestampColumn !== undefined) {
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
    }, 'n', field);
  }
  parts.push(' FROM ', quoteTable(table.schema, table.table), ' WHERE ', key.length === 1 ? quoteIdentifier(key[0]!) : `(${key.map(quoteIdentifier).join(',')})`, ' IN (');
  entries.forEach((entry, i) => {
    if (i > 0) parts.push(',');
    appendKey(parts, key, entry.keyRow);
  });
  parts.push(') FOR UPDATE');
  return parts.join('');
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);

/**
 * The first check (`expected` only) as a join with a table value constructor (MariaDB 10.3+):
 * `WITH v(i, x, k0, c0, c1, ...) AS (VALUES (0, 1, 7, 'a', 1.5), ...) SELECT v.i AS i,
 * (v.x = 1 AND <t.c0 matches v.c0> AND ...) AS e FROM v JOIN t ON t.id = v.k0 FOR UPDATE`.
 * The comparisons are written once per column, not once per row: measured about 3x the keys/s
 * of the per-row form (whose server cost grows with its expressions), within reach of a plain
 * SELECT of the rows. Undefined where it does not fit, and the per-row form runs: a key not
 * all integers (a text key would meet the constructor's collation, not the column's), images
 * with different column lists in one chunk, a text column holding undecoded bytes.
 */
export function expectedCheckByJoin(table: TargetTable, key: string[], entries: KeyExpectation[]): string | undefined {
  if (!key.every((column) => INTEGER_TYPES.has(table.types?.get(column) ?? ''))) return undefined;
  const model = entries.find((entry) => entry.expected !== null)?.expected ?? undefined;
  const columns = model === undefined || model === null ? [] : Object.keys(model).filter((column) => table.writable.has(column));
  for (const entry of entries) {
    for (const column of key) {
      const value = entry.keyRow[column];
      if (typeof value !== 'number' && typeof value !== 'bigint') return undefined;
    }
    if (entry.expected !== null && !holdsExactly(entry.expected, columns, table)) return undefined;
  }
  for (const column of columns) {
    const type = table.types?.get(column);
    if (type !== undefined && TEXT_TYPES.has(type) && entries.some((entry) => Buffer.isBuffer(entry.expected?.[column]))) return undefined;
  }
  const names = ['i', 'x', ...key.map((_, j) => `k${j}`), ...columns.map((_, j) => `c${j}`)];
  const parts: string[] = ['WITH v(', names.join(','), ') AS (VALUES '];
  entries.forEach((entry, index) => {
    if (index > 0) parts.push(',');
    parts.push('(', String(index), entry.expected === null ? ',0' : ',1');
    for (const column of key) {
      parts.push(',');
      appendLiteral(parts, entry.keyRow[column]);
    }
    for (const column of columns) {
      parts.push(',');
      appendLiteral(parts, entry.expected === null ? null : entry.expected[column]);
    }
    parts.push(')');
  });
  parts.push(') SELECT v.i AS i, (v.x = 1');
  columns.forEach((column, j) => {
    const name = `t.${quoteIdentifier(column)}`;
    const type = table.types?.get(column);
    if (type !== undefined && TEXT_TYPES.has(type)) parts.push(' AND BINARY CONVERT(', name, ' USING utf8mb4) <=> BINARY v.c', String(j));
    else if (type === 'float') parts.push(' AND ', name, ' <=> CAST(v.c', String(j), ' AS FLOAT)');
    else parts.push(' AND ', name, ' <=> v.c', String(j));
  });
  parts.push(') AS e FROM v JOIN ', quoteTable(table.schema, table.table), ' AS t ON ');
  key.forEach((column, j) => {
    if (j > 0) parts.push(' AND ');
    parts.push('t.', quoteIdentifier(column), ' = v.k', String(j));
  });
  parts.push(' FOR UPDATE');
  return parts.join('');
}

/** True when `image`'s writable columns are exactly `columns`. */
function holdsExactly(image: Row, columns: string[], table: TargetTable): boolean {
  let count = 0;
  for (const column in image) {
    if (!table.writable.has(column)) continue;
    if (columns[count] !== column) return false;
    count++;
  }
  return count === columns.length;
}

/** The whole rows of `entries`' keys, each with the entry it answers (`i`): the target's version of conflicting rows. */
export function currentRowsStatement(table: TargetTable, key: string[], entries: KeyExpectation[]): string {
  const parts: string[] = ['SELECT 0'];
  appendIndex(parts, key, entries, '__ferry_entry', fieldOf(table, key, entries));
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
