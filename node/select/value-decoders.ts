/**
 * Decoders of single binlog values, straight from the packet buffer, for the types Ferry reads
 * itself (node/select/row-decoder.ts): each gives exactly what @vlasky/zongji 0.9.0 gives with
 * Ferry's connection options (dateStrings), as test/unit/select/row-decoder.test.ts checks.
 */

/** A column of a zongji table map: type code, charset and type metadata. */
export interface MapColumn {
  name: string;
  type: number;
  charset: string | null;
  metadata: Record<string, number>;
}

export interface MapColumnSchema {
  COLUMN_TYPE: string;
  UNSIGNED?: boolean;
}

/** Reads one non-null value at `cursor.at` of `buffer`; returns it and leaves the next offset in `cursor.at`. */
export type ValueDecoder = (buffer: Buffer, cursor: Cursor) => unknown;

export interface Cursor {
  at: number;
}

/** MySQL type codes of TABLE_MAP events that have a decoder here. */
const T = { TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, INT24: 9, DATE: 10, VARCHAR: 15, DATETIME2: 18, NEWDECIMAL: 246, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, STRING: 254 } as const;

/** zongji's zeroPad, without its 32-character temporary: pads, and keeps only the last `width` characters. */
function pad(value: number, width: number): string {
  const text = String(value);
  return text.length > width ? text.slice(text.length - width) : text.padStart(width, '0');
}

const DECIMAL_BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
/** Scratch space for a DECIMAL with its sign bit flipped (at most 65 digits: 30 bytes). */
const decimalScratch = Buffer.alloc(64);

/** Signed big-endian read of 1-4 bytes, as zongji's readIntBE. */
function readIntBE(buffer: Buffer, offset: number, length: number): number {
  switch (length) {
    case 1:
      return buffer.readInt8(offset);
    case 2:
      return buffer.readInt16BE(offset);
    case 3:
      return (buffer.readInt8(offset) << 16) + buffer.readUInt16BE(offset + 1);
    default:
      return buffer.readInt32BE(offset);
  }
}

/** DECIMAL(precision, scale) as zongji's parseNewDecimal gives it: exact text. */
function decimalDecoder(precision: number, scale: number): ValueDecoder {
  const integral = precision - scale;
  const wholeIntegral = Math.floor(integral / 9);
  const wholeFraction = Math.floor(scale / 9);
  const leadIntegral = integral - wholeIntegral * 9;
  const tailFraction = scale - wholeFraction * 9;
  const leadBytes = DECIMAL_BYTES[leadIntegral]!;
  const tailBytes = DECIMAL_BYTES[tailFraction]!;
  const size = wholeIntegral * 4 + leadBytes + wholeFraction * 4 + tailBytes;
  return (buffer, cursor) => {
    const scratch = decimalScratch;
    buffer.copy(scratch, 0, cursor.at, cursor.at + size);
    cursor.at += size;
    const positive = (scratch[0]! & 0x80) === 0x80;
    scratch[0] = scratch[0]! ^ 0x80;
    // Negative numbers are stored with every bit flipped.
    const mask = positive ? 0 : -1;
    let pos = 0;
    let digits = '';
    if (leadBytes > 0) {
      digits += (readIntBE(scratch, 0, leadBytes) ^ mask).toString(10);
      pos = leadBytes;
    }
    for (let i = 0; i < wholeIntegral; i++, pos += 4) digits += pad(scratch.readInt32BE(pos) ^ mask, 9);
    let start = 0;
    while (start < digits.length - 1 && digits.charCodeAt(start) === 0x30) start++;
    let text = (positive ? '' : '-') + (digits.length === 0 ? '0' : digits.slice(start));
    if (scale > 0) {
      text += '.';
      for (let i = 0; i < wholeFraction; i++, pos += 4) text += pad(scratch.readInt32BE(pos) ^ mask, 9);
      if (tailBytes > 0) text += pad(readIntBE(scratch, pos, tailBytes) ^ mask, tailFraction);
    }
    return text;
  };
}

/**
 * Dates and times are written as ASCII into one scratch buffer and read back as one flat
 * string: a template literal would leave a chain of string pieces per value for the
 * garbage collector, which measured a fifth of catch-up time.
 */
const ascii = Buffer.alloc(64);

/** Writes the last `width` decimal digits of `value` (a non-negative integer) at `at`; zongji's zeroPad. */
function putDigits(value: number, width: number, at: number): number {
  for (let i = at + width - 1; i >= at; i--) {
    ascii[i] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  }
  return at + width;
}

/** 'YYYY-MM-DD' at the start of the scratch buffer; returns where it ends. */
function putDate(year: number, month: number, day: number): number {
  let at = putDigits(year, 4, 0);
  ascii[at++] = 0x2d;
  at = putDigits(month, 2, at);
  ascii[at++] = 0x2d;
  return putDigits(day, 2, at);
}

/** DATETIME2(decimals): 'YYYY-MM-DD hh:mm:ss[.f...]', zero dates included. */
function datetime2Decoder(decimals: number): ValueDecoder {
  const fractionBytes = Math.ceil(decimals / 2);
  return (buffer, cursor) => {
    const start = cursor.at;
    const high = buffer.readInt32BE(start);
    const low = buffer.readInt32BE(start + 1);
    cursor.at = start + 5 + fractionBytes;
    const yearMonth = (high & 0x7fffc000) >> 14;
    let at = putDate(Math.floor(yearMonth / 13), yearMonth % 13, (low >> 17) & 0x1f);
    ascii[at++] = 0x20;
    at = putDigits((low >> 12) & 0x1f, 2, at);
    ascii[at++] = 0x3a;
    at = putDigits((low >> 6) & 0x3f, 2, at);
    ascii[at++] = 0x3a;
    at = putDigits(low & 0x3f, 2, at);
    if (decimals === 0) return ascii.toString('latin1', 0, at);
    let fraction = readIntBE(buffer, start + 5, fractionBytes);
    if (decimals % 2 !== 0) fraction /= 10;
    if (fraction < 0) fraction = -fraction;
    // A fraction that is not a whole number only comes from bytes no server writes.
    if (!Number.isInteger(fraction)) return `${ascii.toString('latin1', 0, at)}.${pad(fraction, decimals)}`;
    ascii[at++] = 0x2e;
    return ascii.toString('latin1', 0, putDigits(fraction, decimals, at));
  };
}

const dateDecoder: ValueDecoder = (buffer, cursor) => {
  const raw = buffer.readUIntLE(cursor.at, 3);
  cursor.at += 3;
  return ascii.toString('latin1', 0, putDate(raw >> 9, (raw >> 5) & 0x0f, raw & 0x1f));
};

/** UTF-8 text with a little-endian length of `lengthBytes`. */
function utf8Decoder(lengthBytes: number): ValueDecoder {
  return (buffer, cursor) => {
    const length = buffer.readUIntLE(cursor.at, lengthBytes);
    const start = cursor.at + lengthBytes;
    cursor.at = start + length;
    return buffer.toString('utf8', start, start + length);
  };
}

const UTF8_CHARSETS = new Set(['utf8mb4', 'utf8mb3', 'utf8']);

function integerDecoder(type: number, unsigned: boolean): ValueDecoder | undefined {
  switch (type) {
    case T.TINY:
      return unsigned ? (b, c) => b.readUInt8(c.at++) : (b, c) => b.readInt8(c.at++);
    case T.SHORT:
      return unsigned ? (b, c) => b.readUInt16LE((c.at += 2) - 2) : (b, c) => b.readInt16LE((c.at += 2) - 2);
    case T.INT24:
      return unsigned ? (b, c) => b.readUIntLE((c.at += 3) - 3, 3) : (b, c) => b.readIntLE((c.at += 3) - 3, 3);
    case T.LONG:
      return unsigned ? (b, c) => b.readUInt32LE((c.at += 4) - 4) : (b, c) => b.readInt32LE((c.at += 4) - 4);
    default:
      return undefined;
  }
}

/** The fast decoder for a column, or undefined where zongji's own reader must do it. */
export function fastDecoder(column: MapColumn, schema: MapColumnSchema): ValueDecoder | undefined {
  const columnType = schema.COLUMN_TYPE;
  switch (column.type) {
    case T.TINY:
    case T.SHORT:
    case T.INT24:
    case T.LONG:
      return integerDecoder(column.type, schema.UNSIGNED ?? columnType.includes('unsigned'));
    case T.FLOAT:
      return (b, c) => b.readFloatLE((c.at += 4) - 4);
    case T.DOUBLE:
      return (b, c) => b.readDoubleLE((c.at += 8) - 8);
    case T.NEWDECIMAL:
      return decimalDecoder(column.metadata.precision!, column.metadata.decimals!);
    case T.DATE:
      return dateDecoder;
    case T.DATETIME2:
      return datetime2Decoder(column.metadata.decimals ?? 0);
    case T.VARCHAR:
    case T.STRING:
      // Only text CHAR/VARCHAR: BINARY, VARBINARY and MariaDB's UUID/INET types ride on these codes too.
      if (!UTF8_CHARSETS.has(column.charset ?? '') || !(columnType.startsWith('varchar') || columnType.startsWith('char'))) return undefined;
      return utf8Decoder(column.metadata.max_length! > 255 ? 2 : 1);
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
      return UTF8_CHARSETS.has(column.charset ?? '') ? utf8Decoder(column.metadata.length_size!) : undefined;
    default:
      return undefined;
  }
}
