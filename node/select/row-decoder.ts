import { FerryError } from '../../shared/errors/index.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TableRef } from '../../shared/model/change.ts';
import { LazyImages, type ImageParser } from './lazy-images.ts';
import { currentEventBytes, currentEventStart } from './raw-events.ts';
import { rowSkipper, skipRow, type RowSkipper } from './row-skipper.ts';
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
 *
 * A reader that copies events for replay (decodeLazily) does not decode rows here at all: it
 * skips them (row-skipper.ts), and each change decodes its images with readRow when read
 * (lazy-row-change.ts; docs/replay.md, "Cost").
 */

/** zongji's Parser (lib/reader.js): the packet buffer and an offset behind an accessor. */
export interface BinlogParser {
  _buffer: Buffer;
  _offset: number;
  /** Where the rows end (the checksum already left out while rows are read). */
  _packetEnd?: number;
  /** The mysql2 packet it reads; null for a parser over inflated bytes (a compressed row event). */
  packet?: unknown;
  parseBuffer(length: number): Buffer;
}

/** A zongji table-map entry (index.js, on TABLE_MAP events). */
export interface TableMapEntry {
  columns: MapColumn[];
  columnSchemas: MapColumnSchema[];
  parentSchema?: string;
  tableName?: string;
}

type ZongjiValueReader = (parser: BinlogParser, column: MapColumn, schema: MapColumnSchema, map: TableMapEntry, zongji: unknown) => unknown;

const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
const rowsEvents = (await import(pathToFileURL(join(zongjiDir, 'lib', 'rows_event.js')).href)) as Record<string, { prototype: Record<string, unknown> }>;
const common = (await import(pathToFileURL(join(zongjiDir, 'lib', 'common.js')).href)) as { readMysqlValue: ZongjiValueReader };
const { Parser } = (await import(pathToFileURL(join(zongjiDir, 'lib', 'reader.js')).href)) as { Parser: new () => ImageParser & { append(buffer: Buffer): void } };

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
  /** Set at the event's first row: its lazy images, or null when its rows are decoded. */
  _ferryLazy?: LazyImages | null;
  /** Where the event starts in the packet buffer: lazy rows are offsets into the event's copy. */
  _ferryBase?: number;
}

/** What readMysqlValue reads of a zongji instance: its connection's options, and emit for a type it does not know. */
interface ZongjiStandIn {
  connection: { config: unknown };
  emit: (name: string, error: unknown) => void;
}

interface LazyReader {
  markTable: TableRef | undefined;
  /** Kept for decoding after the reader stopped (zongji drops its connection then). */
  standIn?: ZongjiStandIn;
}

/** The zongji instances whose row events keep their images undecoded (decodeLazily). */
const lazyReaders = new WeakMap<object, LazyReader>();

/** Per table map: its row skipper, or null where its rows are decoded (a type the skipper does not know, the mark table). */
const skippersByMap = new WeakMap<TableMapEntry, RowSkipper | null>();

/**
 * Row events this zongji instance parses from now on keep their row images undecoded: each
 * row is a number (where its image starts in the event's bytes) and the event carries its
 * LazyImages (`_ferryLazy`), for LazyRowChange. Only for a reader that copies events for
 * replay: the copy is what the images are decoded from. Rows of `markTable` (read at once
 * by the assembler), of tables with a type the row skipper does not know, and of compressed
 * row events are decoded as before.
 */
export function decodeLazily(zongji: object, markTable: TableRef | undefined): void {
  lazyReaders.set(zongji, { markTable });
}

/** The lazy images of the event being parsed, or null to decode its rows. */
function lazyImagesOf(event: RowsEventThis, parser: BinlogParser, map: TableMapEntry): LazyImages | null {
  const reader = lazyReaders.get(event._zongji as object);
  // A compressed event's rows are read from inflated bytes, not from the event's own.
  if (reader === undefined || !parser.packet) return null;
  const base = currentEventStart(parser._buffer);
  if (base === undefined) return null;
  let skipper = skippersByMap.get(map);
  if (skipper === undefined) {
    const mark = reader.markTable;
    skipper = mark !== undefined && map.parentSchema === mark.schema && map.tableName === mark.table ? null : (rowSkipper(map) ?? null);
    skippersByMap.set(map, skipper);
  }
  if (skipper === null) return null;
  const raw = currentEventBytes();
  /** A bitmap zongji sliced from the packet, as a view of the copy. */
  const view = (bitmap: Buffer): Buffer | undefined => {
    const from = bitmap.byteOffset - parser._buffer.byteOffset - base;
    return bitmap.buffer === parser._buffer.buffer && from >= 0 && from + bitmap.length <= raw.length ? raw.subarray(from, from + bitmap.length) : undefined;
  };
  const present = view(event.columns_present_bitmap);
  const present2 = event.columns_present_bitmap2 === undefined ? undefined : view(event.columns_present_bitmap2);
  if (present === undefined || (event.columns_present_bitmap2 !== undefined && present2 === undefined)) return null;
  const zongji = event._zongji as { connection: { config: unknown } };
  const standIn = (reader.standIn ??= {
    connection: { config: zongji.connection.config },
    emit: (_name, error) => {
      throw error;
    },
  });
  const imageParser = new Parser();
  imageParser.append(raw);
  event._ferryBase = base;
  return new LazyImages(raw, skipper, present, present2, imageParser, (image, bitmap) => {
    decodedRows.count++;
    return readRow(image, map, bitmap, standIn);
  });
}

/** The lazy images of the event, created at its first row (null: decode its rows). */
function lazyOf(event: RowsEventThis, parser: BinlogParser, map: TableMapEntry): LazyImages | null {
  if (event._ferryLazy === undefined) event._ferryLazy = lazyImagesOf(event, parser, map);
  return event._ferryLazy;
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
  // A lazy row is the offset of its image in the event (a number: no object per row); a row
  // the skipper cannot place is decoded as before.
  base._fetchOneRow = function (this: RowsEventThis, parser: BinlogParser) {
    const map = this.tableMap[this.tableId]!;
    const lazy = lazyOf(this, parser, map);
    if (lazy !== null) {
      const at = parser._offset;
      const end = skipRow(lazy.skipper, parser._buffer, at, this.columns_present_bitmap, parser._packetEnd!);
      if (end !== undefined) {
        parser._offset = end;
        return at - this._ferryBase!;
      }
    }
    decodedRows.count++;
    return readRow(parser, map, this.columns_present_bitmap, this._zongji);
  };
  UpdateRows.prototype._fetchOneRow = function (this: RowsEventThis, parser: BinlogParser) {
    const map = this.tableMap[this.tableId]!;
    const lazy = lazyOf(this, parser, map);
    if (lazy !== null) {
      const at = parser._offset;
      const middle = skipRow(lazy.skipper, parser._buffer, at, this.columns_present_bitmap, parser._packetEnd!);
      const end = middle === undefined ? undefined : skipRow(lazy.skipper, parser._buffer, middle, this.columns_present_bitmap2, parser._packetEnd!);
      if (end !== undefined) {
        parser._offset = end;
        return at - this._ferryBase!;
      }
    }
    decodedRows.count++;
    return { before: readRow(parser, map, this.columns_present_bitmap, this._zongji), after: readRow(parser, map, this.columns_present_bitmap2, this._zongji) };
  };
}
