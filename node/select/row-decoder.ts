import { FerryError } from '../../shared/errors/index.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fastDecoder, type Cursor, type MapColumn, type MapColumnSchema, type ValueDecoder } from './value-decoders.ts';

/**
 * Faster decoding of binlog row images for @vlasky/zongji 0.9.0 (pinned exactly).
 *
 * zongji decodes every value through one generic switch, copies each DECIMAL, and builds each
 * DATETIME from zero-padded pieces of a 32-character string: a quarter of Ferry's CPU during
 * catch-up went there (docs/benchmarks.md). Its row-event classes are exported from
 * lib/rows_event.js but not from the package, so this module loads that file by path (the
 * same module instance zongji uses) and replaces their row readers. For each table map it
 * picks a decoder per column once (value-decoders.ts): the common types (integers up to INT, FLOAT, DOUBLE,
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

/** A zongji table-map entry (index.js, on TABLE_MAP events). */
export interface TableMapEntry {
  columns: MapColumn[];
  columnSchemas: MapColumnSchema[];
}

type ZongjiValueReader = (parser: BinlogParser, column: MapColumn, schema: MapColumnSchema, map: TableMapEntry, zongji: unknown) => unknown;

const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
const rowsEvents = (await import(pathToFileURL(join(zongjiDir, 'lib', 'rows_event.js')).href)) as Record<string, { prototype: Record<string, unknown> }>;
const common = (await import(pathToFileURL(join(zongjiDir, 'lib', 'common.js')).href)) as { readMysqlValue: ZongjiValueReader };

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
  if (!WriteRows || !UpdateRows) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `@vlasky/zongji ${zongjiDir}: lib/rows_event.js no longer exports WriteRows/UpdateRows; check the pinned version` });
  // WriteRows and DeleteRows inherit RowsEvent's reader; UpdateRows has its own.
  const base = Object.getPrototypeOf(WriteRows.prototype) as Record<string, unknown>;
  if (typeof base._fetchOneRow !== 'function' || typeof UpdateRows.prototype._fetchOneRow !== 'function') {
    throw new FerryError('FERRY_ERR_INTERNAL', { detail: `@vlasky/zongji ${zongjiDir}: row events have no _fetchOneRow; check the pinned version` });
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
