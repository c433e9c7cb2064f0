import type { Row } from '../../shared/model/change.ts';

/**
 * A string that identifies the values of `columns` in `row`: equal values give equal
 * strings whatever their JavaScript type (a Buffer and its bytes, 5 and 5n).
 */
export function keyOf(row: Row, columns: string[]): string {
  let key = '';
  for (const column of columns) key += `${encode(row[column])}\u0000`;
  return key;
}

function encode(value: unknown): string {
  if (value === null || value === undefined) return '\u0001N';
  if (Buffer.isBuffer(value)) return `b${value.toString('hex')}`;
  if (value instanceof Date) return `d${value.toISOString()}`;
  // Strings, numbers and bigints: the target compares keys by value, and a number and a
  // string holding the same digits name the same row there.
  return `v${String(value)}`;
}
