import type { Row } from '../../shared/model/change.ts';
import type { KeyPrefix, UniqueKey } from './target-tables.ts';

/** How keyOf encodes NULL (and a column the image lacks). */
const NULL_MARK = '\u0001N';

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

/** True when some column of `columns` is NULL in `row` or missing from it. */
export function hasNullPart(row: Row, columns: string[]): boolean {
  for (const column of columns) {
    const value = row[column];
    if (value === null || value === undefined) return true;
  }
  return false;
}

/** True when keyOf's string may stand for a key with a NULL part (then check with hasNullPart). */
export function mayHaveNullPart(key: string): boolean {
  return key.includes(NULL_MARK);
}

/**
 * The loose key of a unique key that may have prefix parts (`UNIQUE (name(10))`): the
 * server compares only the first N characters (text) or bytes (binary) of such a part, so
 * only those count here. A value that cannot be cut exactly is encoded so that it matches
 * more, never less: two values the server would find equal always give equal strings.
 */
export function writeSetKeyOf(row: Row, key: UniqueKey): string {
  const { columns, prefixes } = key;
  if (prefixes === undefined) return keyOf(row, columns, true);
  let out = '';
  for (let i = 0; i < columns.length; i++) {
    const prefix = prefixes[i];
    const value = row[columns[i]!];
    out += `${prefix === undefined ? encode(value, true) : encodePrefix(value, prefix)}\u0000`;
  }
  return out;
}

function encodePrefix(value: unknown, prefix: KeyPrefix): string {
  if (value === null || value === undefined) return NULL_MARK;
  if (prefix.bytes) {
    const bytes = Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value, 'utf8') : undefined;
    if (bytes === undefined) return encode(value, true);
    // Trailing zero bytes dropped: BINARY(n) pads with them, so 'ab' and 'ab\0' may be one value.
    let end = Math.min(prefix.length, bytes.length);
    while (end > 0 && bytes[end - 1] === 0) end--;
    return `b${bytes.subarray(0, end).toString('hex')}`;
  }
  if (typeof value === 'string') return `v${fold(firstCharacters(value, prefix.length))}`;
  // Text the decoder could not read arrives as bytes, so where its N characters end is
  // unknown: every such value of the part shares one entry.
  if (Buffer.isBuffer(value)) return 'b?';
  return encode(value, true);
}

/** The first `count` characters (code points, as the server counts them) of `text`. */
function firstCharacters(text: string, count: number): string {
  if (text.length <= count) return text;
  let end = 0;
  for (let seen = 0; seen < count && end < text.length; seen++) end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  return text.slice(0, end);
}

function encode(value: unknown, loose: boolean): string {
  if (value === null || value === undefined) return NULL_MARK;
  if (Buffer.isBuffer(value)) return `b${value.toString('hex')}`;
  if (typeof value === 'string') return `v${loose ? fold(value) : value}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `v${String(value)}`;
  // Exact literals (DECIMAL) print their digits.
  return `v${(value as { toString(): string }).toString()}`;
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trimEnd();
}
