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
 * compare it ('Ab ' ~ 'ab' ~ 'áb' ~ 'ＡＢ', 'straße' ~ 'strasse'; see fold). The write-set uses the loose form: there a false match
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

/**
 * Letters that some collation takes for others although no Unicode decomposition says so:
 * utf8mb4_general_ci compares 'ß' as 's', the UCA collations (unicode_ci, unicode_520_ci,
 * uca1400) 'ß' as 'ss', 'æ' as 'ae', 'ø' as 'o' (a secondary, accent-like difference).
 */
// eslint-disable-next-line no-control-regex -- all of ASCII, control characters included
const ASCII = /^[\x00-\x7f]*$/;

const LETTER_FOLDS: Readonly<Record<string, string>> = { ß: 's', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', ħ: 'h', ŧ: 't', ı: 'i', ĸ: 'k' };

/**
 * Text as the loosest collation might compare it, so that two values any collation finds
 * equal fold to one string (folding more values together only costs parallelism):
 * compatibility forms (ligatures, full-width letters) decomposed, accents and format
 * characters that UCA ignores (soft hyphen, zero-width space) dropped, case and the
 * letters above folded, runs of 's' made one (so 'ß', 'ss' and 's' meet under either rule),
 * trailing spaces dropped (PAD SPACE).
 */
function fold(text: string): string {
  // ASCII text (most keys) has nothing to decompose: half the time of the full path.
  if (ASCII.test(text)) return text.toLowerCase().replace(/s{2,}/g, 's').trimEnd();
  return text
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðłħŧıĸ]/g, (letter) => LETTER_FOLDS[letter]!)
    .replace(/s{2,}/g, 's')
    .trimEnd();
}
