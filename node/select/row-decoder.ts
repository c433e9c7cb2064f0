import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Faster decoding of binlog row images for @vlasky/zongji 0.9.0 (pinned exactly).
 *
 * zongji decodes every value through one generic switch, copies each DECIMAL, and builds each
 * DATETIME from zero-padded pieces of a 32-character string: a quarter of Ferry's CPU during
 * catch-up went there (docs/benchmarks.md). Its row-event classes are exported from
 * lib/rows_event.js but not from the package, so this module loads that file by path (the
 * same module instance zongji uses) and replaces their row readers. For each table map it
 * picks a decoder per column once: the common types (integers up to INT, FLOAT, DOUBLE,
 * DECIMAL, DATE, DATETIME2, UTF-8 CHAR/VARCHAR/TEXT) are read straight from the packet
 * buffer; every other type goes to zongji's own readMysqlValue. The values are exactly
 * zongji's with Ferry's connection options (binlog-options.ts: dateStrings); the unit test
 * compares both decoders value by value, and test/integration/replication/all-types.test.ts
 * checks the whole path against a real server.
 */

/** zongji's Parser (lib/reader.js): the packet buffer and an offset behind an accessor. */
export interface BinlogParser {
  _buffer: Buffer;
  _offset: number;
  parseBuffer(length: number): Buffer;
}

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

/** A zongji table-map entry (index.js, on TABLE_MAP events). */
export interface TableMapEntry {
  columns: MapColumn[];
  columnSchemas: MapColumnSchema[];
}

type ZongjiValueReader = (parser: BinlogParser, column: MapColumn, schema: MapColumnSchema, map: TableMapEntry, zongji: unknown) => unknown;

/** Reads one non-null value at `offset` of `buffer`; returns it and leaves the next offset in `cursor.at`. */
type ValueDecoder = (buffer: Buffer, cursor: Cursor) => unknown;

interface Cursor {
  at: number;
}

const T = { TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, INT24: 9, DATE: 10, VARCHAR: 15, DATETIME2: 18, NEWDECIMAL: 246, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, STRING: 254 } as const;

const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
const rowsEvents = (await import(pathToFileURL(join(zongjiDir, 'lib', 'rows_event.js')).href)) as Record<string, { prototype: Record<string, unknown> }>;
const common = (await import(pathToFileURL(join(zongjiDir, 'lib', 'common.js')).href)) as { readMysqlValue: ZongjiValueReader };

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

/** Per table map: each column's decoder, or null for zongji's reader. */
const decodersByMap = new WeakMap<TableMapEntry, Array<ValueDecoder | null>>();

function decodersOf(map: TableMapEntry): Array<ValueDecoder | null> {
  let decoders = decodersByMap.get(map);
  if (decoders === undefined) {
    decoders = map.columns.map((column, i) => fastDecoder(column, map.columnSchemas[i]!) ?? null);
    decodersByMap.set(map, decoders);
  }
  return decoders;
}

const cursor: Cursor = { at: 0 };

/** One row image, as zongji's readRow: columns missing from `present` and NULLs are null. */
export function readRow(parser: BinlogParser, map: TableMapEntry, present: Buffer, zongji: unknown): Record<string, unknown> {
  const columns = map.columns;
  const decoders = decodersOf(map);
  // Every set bit of the bitmap counts towards the NULL bitmap's size, as in zongji.
  let presentCount = 0;
  for (let i = 0; i < present.length * 8; i++) if ((present[i >> 3]! & (1 << (i & 7))) !== 0) presentCount++;
  const buffer = parser._buffer;
  const nullsAt = parser._offset;
  cursor.at = nullsAt + ((presentCount + 7) >> 3);
  const row: Record<string, unknown> = {};
  for (let i = 0, nullBit = 0; i < columns.length; i++) {
    const column = columns[i]!;
    if ((present[i >> 3]! & (1 << (i & 7))) === 0) {
      row[column.name] = null;
      continue;
    }
    if ((buffer[nullsAt + (nullBit >> 3)]! & (1 << (nullBit & 7))) !== 0) {
      row[column.name] = null;
    } else {
      const decoder = decoders[i];
      if (decoder) {
        row[column.name] = decoder(buffer, cursor);
      } else {
        parser._offset = cursor.at;
        row[column.name] = common.readMysqlValue(parser, column, map.columnSchemas[i]!, map, zongji);
        cursor.at = parser._offset;
      }
    }
    nullBit++;
  }
  parser._offset = cursor.at;
  return row;
}

/** Rows decoded by readRow since start: lets a test see that zongji really uses it. */
export const decodedRows = { count: 0 };

interface RowsEventThis {
  tableMap: Record<number, TableMapEntry>;
  tableId: number;
  columns_present_bitmap: Buffer;
  columns_present_bitmap2: Buffer;
  _zongji: unknown;
}

/** zongji's own row readers, kept for the test that compares them with readRow. */
export const zongjiRowReaders = {
  rows: (Object.getPrototypeOf(rowsEvents.WriteRows?.prototype ?? {}) as Record<string, unknown>)._fetchOneRow,
  update: rowsEvents.UpdateRows?.prototype._fetchOneRow,
};

/** Points zongji's row events at readRow. Idempotent. */
export function installRowDecoder(): void {
  const { WriteRows, UpdateRows } = rowsEvents;
  if (!WriteRows || !UpdateRows) throw new Error(`@vlasky/zongji ${zongjiDir}: lib/rows_event.js no longer exports WriteRows/UpdateRows; check the pinned version`);
  // WriteRows and DeleteRows inherit RowsEvent's reader; UpdateRows has its own.
  const base = Object.getPrototypeOf(WriteRows.prototype) as Record<string, unknown>;
  if (typeof base._fetchOneRow !== 'function' || typeof UpdateRows.prototype._fetchOneRow !== 'function') {
    throw new Error(`@vlasky/zongji ${zongjiDir}: row events have no _fetchOneRow; check the pinned version`);
  }
  base._fetchOneRow = function (this: RowsEventThis, parser: BinlogParser) {
    decodedRows.count++;
    return readRow(parser, this.tableMap[this.tableId]!, this.columns_present_bitmap, this._zongji);
  };
  UpdateRows.prototype._fetchOneRow = function (this: RowsEventThis, parser: BinlogParser) {
    decodedRows.count++;
    const map = this.tableMap[this.tableId]!;
    return { before: readRow(parser, map, this.columns_present_bitmap, this._zongji), after: readRow(parser, map, this.columns_present_bitmap2, this._zongji) };
  };
}
