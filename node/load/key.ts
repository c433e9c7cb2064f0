import type { Row } from '../../shared/model/change.ts';

/**
 * A string that identifies the values of `columns` in `row`: equal values give equal
 * strings whatever their JavaScript type (a Buffer and its bytes, 5 and 5n, a DECIMAL
 * literal and its digits).
 *
 * With `loose`, text is folded the way case- and accent-insensitive, PAD SPACE collations
 * compare it ('Ab ' ~ 'ab' ~ 'áb'). The write-set uses the loose form: there a false match
 * only costs parallelism, while a missed one could reorder two changes of one target row.
 */
export function keyOf(row: Row, columns: string[], loose = false): string {
  // One column, the usual key: its value alone, one string instead of three.
  if (columns.length === 1) return encode(row[columns[0]!], loose);
  let key = '';
  for (const column of columns) key += `${encode(row[column], loose)}\u0000`;
  return key;
}

function encode(value: unknown, loose: boolean): string {
  if (value === null || value === undefined) return '\u0001N';
  if (Buffer.isBuffer(value)) return `b${value.toString('hex')}`;
  if (typeof value === 'string') return `v${loose ? fold(value) : value}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `v${String(value)}`;
  // Exact literals (DECIMAL) print their digits.
  return `v${(value as { toString(): string }).toString()}`;
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trimEnd();
}
