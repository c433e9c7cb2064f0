import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { ClearRange, Row } from '../../shared/model/change.ts';
import { quoteIdentifier, quoteTable } from '../../shared/mysql/flavor.ts';
import { appendLiteral } from './sql-literal.ts';

/** Keys per DELETE statement. */
const KEYS_PER_DELETE = 500;

/**
 * Deletes the target rows of a copied key range that the copy did not write: rows the source
 * no longer has (a resync over a target that kept them, rows a target held before an initial
 * copy). `kept` are the rows the same batch writes into the range.
 *
 * Two steps, not one ranged DELETE: the keys are found by a plain read, which takes no lock,
 * and deleted by key. A ranged DELETE locks the row just past its range to find the range's
 * end, and that row can be the next chunk's, inserted by a batch applying in parallel that
 * commits after this one: each would wait for the other.
 */
export async function clearRange(connection: PoolConnection, range: ClearRange, kept: readonly Row[]): Promise<void> {
  const [present] = await connection.query<RowDataPacket[]>(rangeKeysSql(range));
  if (present.length === 0) return;
  // Compared as text here rather than a NOT IN list of every kept key sent to the server: an
  // initial copy into an empty table finds nothing in the range and pays nothing. A key that
  // compares equal on the server but not as text (a case-insensitive collation) is deleted and
  // written again by the batch: the source's value either way.
  const keptKeys = new Set(kept.map((row) => keyText(row, range.key)));
  const extras = (present as Row[]).filter((row) => !keptKeys.has(keyText(row, range.key)));
  for (let i = 0; i < extras.length; i += KEYS_PER_DELETE) {
    const parts: string[] = [`DELETE FROM ${quoteTable(range.schema, range.table)} WHERE `];
    parts.push(...inList(range.key, extras.slice(i, i + KEYS_PER_DELETE)));
    await connection.query(parts.join(''));
  }
}

/** A row's key as text, the same for the values Transform gives and those the target's session reads. */
function keyText(row: Row, key: readonly string[]): string {
  let text = '';
  for (const column of key) {
    const value = row[column];
    // Values are numbers, bigints, strings, Buffers or SqlLiterals (their text is their SQL).
    text += Buffer.isBuffer(value) ? `x${value.toString('hex')}` : value === null || value === undefined ? '\u0000' : `v${(value as { toString(): string }).toString()}`;
    text += '\u0001';
  }
  return text;
}

/**
 * The keys of the range's rows on the target. Composite keys are compared column by column
 * (`a > x OR (a = x AND b > y)`) so that the server reads the range from an index where one
 * leads with the key.
 */
export function rangeKeysSql(range: ClearRange): string {
  const parts: string[] = [`SELECT ${range.key.map(quoteIdentifier).join(', ')} FROM ${quoteTable(range.schema, range.table)} WHERE `];
  const conditions: string[][] = [];
  if (range.after !== undefined) conditions.push(comparison(range.key, range.after, '>'));
  if (range.upTo !== undefined) conditions.push(comparison(range.key, range.upTo, '<='));
  if (conditions.length === 0) parts.push('1');
  conditions.forEach((condition, index) => {
    if (index > 0) parts.push(' AND ');
    parts.push('(', ...condition, ')');
  });
  return parts.join('');
}

/** `key > bound` (or `<=`) over a composite key, column by column. */
function comparison(key: readonly string[], bound: Row, operator: '>' | '<='): string[] {
  const strict = operator === '>' ? '>' : '<';
  const parts: string[] = [];
  for (let i = 0; i < key.length; i++) {
    if (i > 0) parts.push(' OR ');
    parts.push('(');
    for (let j = 0; j < i; j++) {
      parts.push(quoteIdentifier(key[j]!), ' = ');
      appendLiteral(parts, bound[key[j]!]);
      parts.push(' AND ');
    }
    // The last column decides: strictly for every column but the last of `<=`.
    parts.push(quoteIdentifier(key[i]!), ` ${i === key.length - 1 ? operator : strict} `);
    appendLiteral(parts, bound[key[i]!]);
    parts.push(')');
  }
  return parts;
}

/** `key IN (...)` of the rows' keys. */
function inList(key: readonly string[], rows: readonly Row[]): string[] {
  const parts: string[] = [key.length === 1 ? quoteIdentifier(key[0]!) : `(${key.map(quoteIdentifier).join(',')})`, ' IN ('];
  rows.forEach((row, index) => {
    if (index > 0) parts.push(',');
    if (key.length > 1) parts.push('(');
    key.forEach((column, position) => {
      if (position > 0) parts.push(',');
      appendLiteral(parts, row[column]);
    });
    if (key.length > 1) parts.push(')');
  });
  parts.push(')');
  return parts;
}
