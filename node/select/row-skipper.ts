import type { MapColumn, MapColumnSchema } from './value-decoders.ts';

/**
 * Where a binlog row image ends, without decoding its values (lazy row images, docs/replay.md
 * "Cost"): the NULL bitmap, then each present non-NULL column's stored size, from its type
 * and the table map's metadata. The sizes are exactly what @vlasky/zongji 0.9.0's
 * readMysqlValue consumes for that column (node_modules/@vlasky/zongji/lib/common.js), so the
 * end found here is where Ferry's readRow (row-decoder.ts) leaves its cursor, as
 * test/unit/select/row-skipper.test.ts checks type by type.
 */

/** The parts of a zongji table-map entry the skipper reads. */
export interface SkippableMap {
  columns: MapColumn[];
  columnSchemas: MapColumnSchema[];
}

/**
 * One column's stored size: a fixed width (>= 0), or a length prefix of 1-4 bytes
 * (little-endian) followed by that many bytes (encoded as -1..-4), or LENGTH_CODED.
 */
type ColumnSize = number;
const LENGTH_CODED = -9;

/** Per table map: each column's size, compiled once. */
export interface RowSkipper {
  sizes: ColumnSize[];
}

const T = {
  TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, TIMESTAMP: 7, LONGLONG: 8, INT24: 9, DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, VARCHAR: 15, BIT: 16,
  TIMESTAMP2: 17, DATETIME2: 18, TIME2: 19, JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251, BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;

const DECIMAL_BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

function decimalSize(precision: number, scale: number): number {
  const integral = precision - scale;
  return Math.floor(integral / 9) * 4 + DECIMAL_BYTES[integral % 9]! + Math.floor(scale / 9) * 4 + DECIMAL_BYTES[scale % 9]!;
}

/** zongji's hiresPrecision: MariaDB 5.3 temporals under the classic codes, told apart by COLUMN_TYPE only. */
function hiresPrecision(schema: MapColumnSchema): number {
  const match = /^(?:time|datetime|timestamp)\((\d)\)/.exec(schema.COLUMN_TYPE);
  return match ? Number(match[1]) : 0;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** A prefix size zongji reads with readUIntLE: 1-4 bytes here (a wider one is decoded instead). */
const prefixed = (bytes: unknown): ColumnSize | undefined => (isCount(bytes) && bytes >= 1 && bytes <= 4 ? -bytes : undefined);

/** Stored size of one non-NULL value, or undefined where the skipper cannot be sure (then rows are decoded). */
function columnSize(column: MapColumn, schema: MapColumnSchema | undefined): ColumnSize | undefined {
  if (schema === undefined) return undefined;
  const metadata = column.metadata ?? {};
  switch (column.type) {
    case T.TINY:
    case T.YEAR:
      return 1;
    case T.SHORT:
      return 2;
    case T.INT24:
    case T.DATE:
      return 3;
    case T.LONG:
    case T.FLOAT:
      return 4;
    case T.LONGLONG:
    case T.DOUBLE:
      return 8;
    case T.NEWDECIMAL:
      return isCount(metadata.precision) && isCount(metadata.decimals) && metadata.decimals <= metadata.precision ? decimalSize(metadata.precision, metadata.decimals) : undefined;
    case T.TIME: {
      const decimals = hiresPrecision(schema);
      return decimals === 0 ? 3 : [3, 4, 4, 5, 5, 5, 6][decimals];
    }
    case T.DATETIME: {
      const decimals = hiresPrecision(schema);
      return decimals === 0 ? 8 : [5, 6, 6, 7, 7, 7, 8][decimals];
    }
    case T.TIMESTAMP: {
      const decimals = hiresPrecision(schema);
      const fraction = [0, 1, 1, 2, 2, 3, 3][decimals];
      return fraction === undefined ? undefined : 4 + fraction;
    }
    case T.TIME2:
    case T.DATETIME2:
    case T.TIMESTAMP2: {
      // zongji reads no fraction when decimals is 0 or absent.
      const decimals = metadata.decimals ?? 0;
      if (!isCount(decimals) || decimals > 6) return undefined;
      const base = column.type === T.TIME2 ? 3 : column.type === T.DATETIME2 ? 5 : 4;
      return base + Math.ceil(decimals / 2);
    }
    case T.BIT:
      return isCount(metadata.bits) ? Math.floor((metadata.bits + 7) / 8) : undefined;
    case T.ENUM:
      return metadata.size === 1 || metadata.size === 2 ? metadata.size : undefined;
    case T.SET:
      return metadata.size !== undefined && [1, 2, 3, 4, 8].includes(metadata.size) ? metadata.size : undefined;
    case T.VARCHAR:
    case T.STRING:
      // CHAR's STRING metadata folds the high bits of long (multibyte) lengths back into max_length.
      return isCount(metadata.max_length) ? (metadata.max_length > 255 ? -2 : -1) : undefined;
    case T.VAR_STRING:
      return LENGTH_CODED;
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
    case T.JSON:
    case T.GEOMETRY:
      return prefixed(metadata.length_size);
    default:
      // MariaDB's compressed columns (140, 141) included: their values are inflated when
      // decoded and may fail there, which must stop the reader at once, not a later reader of the row.
      return undefined;
  }
}

/** The skipper for a table map, or undefined when a column's type is not one it knows (decode those rows). */
export function rowSkipper(map: SkippableMap): RowSkipper | undefined {
  const sizes: ColumnSize[] = [];
  for (let i = 0; i < map.columns.length; i++) {
    const size = columnSize(map.columns[i]!, map.columnSchemas[i]);
    if (size === undefined) return undefined;
    sizes.push(size);
  }
  return { sizes };
}

/**
 * The offset where the row image at `at` ends: the NULL bitmap (one bit per column set in
 * `present`, as zongji counts it), then the non-NULL present columns. Undefined when the
 * image would run past `limit` (bytes no server writes): the caller decodes as before.
 */
export function skipRow(skipper: RowSkipper, buffer: Buffer, at: number, present: Buffer, limit: number): number | undefined {
  const sizes = skipper.sizes;
  let presentCount = 0;
  for (let i = 0; i < present.length * 8; i++) if ((present[i >> 3]! & (1 << (i & 7))) !== 0) presentCount++;
  const nullsAt = at;
  let cursor = nullsAt + ((presentCount + 7) >> 3);
  if (cursor > limit) return undefined;
  for (let i = 0, nullBit = 0; i < sizes.length; i++) {
    if ((present[i >> 3]! & (1 << (i & 7))) === 0) continue;
    const isNull = (buffer[nullsAt + (nullBit >> 3)]! & (1 << (nullBit & 7))) !== 0;
    nullBit++;
    if (isNull) continue;
    const size = sizes[i]!;
    if (size >= 0) {
      cursor += size;
    } else if (size === LENGTH_CODED) {
      if (cursor >= limit) return undefined;
      const first = buffer[cursor]!;
      if (first < 251) cursor += 1 + first;
      else if (first === 251) cursor += 1;
      else if (first === 252 && cursor + 3 <= limit) cursor += 3 + buffer.readUInt16LE(cursor + 1);
      else if (first === 253 && cursor + 4 <= limit) cursor += 4 + buffer.readUIntLE(cursor + 1, 3);
      else return undefined;
    } else {
      const prefix = -size;
      if (cursor + prefix > limit) return undefined;
      cursor += prefix + buffer.readUIntLE(cursor, prefix);
    }
    if (cursor > limit) return undefined;
  }
  return cursor;
}
