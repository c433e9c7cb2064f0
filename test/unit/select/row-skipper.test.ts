import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LazyImages } from '../../../node/select/lazy-images.ts';
import { LazyRowChange } from '../../../node/select/lazy-row-change.ts';
import { readRow, type BinlogParser, type TableMapEntry } from '../../../node/select/row-decoder.ts';
import { rowSkipper, skipRow } from '../../../node/select/row-skipper.ts';
import type { MapColumn, MapColumnSchema } from '../../../node/select/value-decoders.ts';
import type { ChangeKind, ColumnInfo } from '../../../shared/model/change.ts';
import { randomBytes } from '../../support/random-bytes.ts';

/**
 * The row skipper (where a row image ends, undecoded) and lazy row changes (images decoded on
 * first read), against Ferry's readRow, the decoder of the eager path: for every column of the
 * all-types table (test/support/all-types.ts) as zongji maps it from a MariaDB table map, and
 * the other types zongji decodes, over random encodings.
 */

const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
const { Parser } = (await import(pathToFileURL(join(zongjiDir, 'lib', 'reader.js')).href)) as { Parser: new () => BinlogParser & { append(buffer: Buffer): void } };
/** What zongji reads of its instance while decoding: Ferry's connection options (binlog-options.ts). */
const zongji = { connection: { config: { dateStrings: true, timezone: 'Z', jsonStrings: true } }, emit: () => undefined };

type Random = (length: number) => Buffer;


interface Case {
  name: string;
  column: Omit<MapColumn, 'name'>;
  schema: MapColumnSchema;
  /** Bytes of one non-NULL value. */
  bytes: (random: Random) => Buffer;
}

const fixed = (width: number) => (random: Random) => random(width);
/** A length prefix and a body of at most `max` bytes: mostly text, with bytes that are not UTF-8 now and then. */
const prefixed = (prefixBytes: number, max: number) => (random: Random) => {
  const length = random(2).readUInt16LE(0) % (max + 1);
  const prefix = Buffer.alloc(prefixBytes);
  prefix.writeUIntLE(length, 0, prefixBytes);
  return Buffer.concat([prefix, Buffer.from(random(length).map((b) => (b % 7 === 0 ? b : 0x61 + (b % 26))))]);
};
/** One value of zongji's fixed encodings that must be well formed (JSON binary, WKB). */
const constant = (bytes: Buffer) => () => bytes;
const lengthPrefixed = (prefixBytes: number, body: Buffer): Buffer => {
  const prefix = Buffer.alloc(prefixBytes);
  prefix.writeUIntLE(body.length, 0, prefixBytes);
  return Buffer.concat([prefix, body]);
};
/** A random DATETIME2/TIMESTAMP2/TIME2 body whose fraction is one a server writes (a whole number of digits). */
const temporal2 = (width: number, decimals: number) => (random: Random) => {
  const value = random(width + Math.ceil(decimals / 2));
  if (decimals > 0) value.writeUIntBE(random(3).readUIntBE(0, 3) % 10 ** (2 * Math.ceil(decimals / 2) - (decimals % 2 === 0 ? 0 : 1)) * (decimals % 2 === 0 ? 1 : 10), width, Math.ceil(decimals / 2));
  return value;
};
const text = (type: number, metadata: Record<string, number>, charset: string | null) => ({ type, metadata, charset });
const plain = (type: number, metadata: Record<string, number> = {}) => ({ type, metadata, charset: null });
const WKB_POINT = Buffer.from('00000000' + '01' + '01000000' + '000000000000f03f' + '0000000000000040', 'hex');

/** The all-types table (test/support/all-types.ts) as zongji maps it on MariaDB (binlog_row_metadata=FULL, utf8mb4). */
const ALL_TYPES_COLUMNS: Case[] = [
  { name: 'id', column: plain(3), schema: { COLUMN_TYPE: 'int(11)' }, bytes: fixed(4) },
  { name: 'ti', column: plain(1), schema: { COLUMN_TYPE: 'tinyint(4)' }, bytes: fixed(1) },
  { name: 'tiu', column: plain(1), schema: { COLUMN_TYPE: 'tinyint(3) unsigned', UNSIGNED: true }, bytes: fixed(1) },
  { name: 'si', column: plain(2), schema: { COLUMN_TYPE: 'smallint(6)' }, bytes: fixed(2) },
  { name: 'siu', column: plain(2), schema: { COLUMN_TYPE: 'smallint(5) unsigned', UNSIGNED: true }, bytes: fixed(2) },
  { name: 'mi', column: plain(9), schema: { COLUMN_TYPE: 'mediumint(9)' }, bytes: fixed(3) },
  { name: 'miu', column: plain(9), schema: { COLUMN_TYPE: 'mediumint(8) unsigned', UNSIGNED: true }, bytes: fixed(3) },
  { name: 'i', column: plain(3), schema: { COLUMN_TYPE: 'int(11)' }, bytes: fixed(4) },
  { name: 'iu', column: plain(3), schema: { COLUMN_TYPE: 'int(10) unsigned', UNSIGNED: true }, bytes: fixed(4) },
  { name: 'bi', column: plain(8), schema: { COLUMN_TYPE: 'bigint(20)' }, bytes: fixed(8) },
  { name: 'biu', column: plain(8), schema: { COLUMN_TYPE: 'bigint(20) unsigned', UNSIGNED: true }, bytes: fixed(8) },
  { name: 'dec_wide', column: plain(246, { precision: 65, decimals: 30 }), schema: { COLUMN_TYPE: 'decimal(65,30)' }, bytes: fixed(30) },
  { name: 'dec_money', column: plain(246, { precision: 10, decimals: 2 }), schema: { COLUMN_TYPE: 'decimal(10,2)' }, bytes: fixed(5) },
  { name: 'dec_int', column: plain(246, { precision: 30, decimals: 0 }), schema: { COLUMN_TYPE: 'decimal(30,0)' }, bytes: fixed(14) },
  { name: 'f', column: plain(4, { size: 4 }), schema: { COLUMN_TYPE: 'float' }, bytes: fixed(4) },
  { name: 'd', column: plain(5, { size: 8 }), schema: { COLUMN_TYPE: 'double' }, bytes: fixed(8) },
  { name: 'dt', column: plain(10), schema: { COLUMN_TYPE: 'date' }, bytes: fixed(3) },
  { name: 'dtm', column: plain(18, { decimals: 6 }), schema: { COLUMN_TYPE: 'datetime(6)' }, bytes: temporal2(5, 6) },
  { name: 'dtm0', column: plain(18, { decimals: 0 }), schema: { COLUMN_TYPE: 'datetime' }, bytes: temporal2(5, 0) },
  { name: 'ts', column: plain(17, { decimals: 6 }), schema: { COLUMN_TYPE: 'timestamp(6)' }, bytes: temporal2(4, 6) },
  { name: 'ts0', column: plain(17, { decimals: 0 }), schema: { COLUMN_TYPE: 'timestamp' }, bytes: temporal2(4, 0) },
  { name: 'ts3', column: plain(17, { decimals: 3 }), schema: { COLUMN_TYPE: 'timestamp(3)' }, bytes: temporal2(4, 3) },
  { name: 'tm', column: plain(19, { decimals: 0 }), schema: { COLUMN_TYPE: 'time' }, bytes: temporal2(3, 0) },
  { name: 'tm6', column: plain(19, { decimals: 6 }), schema: { COLUMN_TYPE: 'time(6)' }, bytes: temporal2(3, 6) },
  { name: 'yr', column: plain(13), schema: { COLUMN_TYPE: 'year(4)' }, bytes: fixed(1) },
  { name: 'ch', column: text(254, { max_length: 40 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'char(10)' }, bytes: prefixed(1, 40) },
  { name: 'vc', column: text(15, { max_length: 400 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'varchar(100)' }, bytes: prefixed(2, 400) },
  { name: 'tx', column: text(252, { length_size: 2 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'text' }, bytes: prefixed(2, 2000) },
  { name: 'mtx', column: text(252, { length_size: 3 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'mediumtext' }, bytes: prefixed(3, 3000) },
  { name: 'bn', column: plain(254, { max_length: 8 }), schema: { COLUMN_TYPE: 'binary(8)' }, bytes: prefixed(1, 8) },
  { name: 'vb', column: plain(15, { max_length: 300 }), schema: { COLUMN_TYPE: 'varbinary(300)' }, bytes: prefixed(2, 300) },
  { name: 'bl', column: plain(252, { length_size: 2 }), schema: { COLUMN_TYPE: 'blob' }, bytes: prefixed(2, 600) },
  { name: 'b1', column: plain(16, { bits: 1 }), schema: { COLUMN_TYPE: 'bit(1)' }, bytes: fixed(1) },
  { name: 'b13', column: plain(16, { bits: 13 }), schema: { COLUMN_TYPE: 'bit(13)' }, bytes: fixed(2) },
  { name: 'b64', column: plain(16, { bits: 64 }), schema: { COLUMN_TYPE: 'bit(64)' }, bytes: fixed(8) },
  { name: 'en', column: text(247, { size: 1 }, 'utf8mb4'), schema: { COLUMN_TYPE: "enum('a','b','ü','😀')" }, bytes: (random) => Buffer.from([1 + (random(1)[0]! % 4)]) },
  { name: 'st', column: text(248, { size: 1 }, 'utf8mb4'), schema: { COLUMN_TYPE: "set('x','y','z','😀')" }, bytes: (random) => Buffer.from([random(1)[0]! % 16]) },
  { name: 'js', column: text(252, { length_size: 4 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'longtext' }, bytes: prefixed(4, 500) },
  { name: 'g_stored', column: plain(8), schema: { COLUMN_TYPE: 'bigint(20)' }, bytes: fixed(8) },
  { name: 'g_virtual', column: text(15, { max_length: 440 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'varchar(110)' }, bytes: prefixed(2, 440) },
];

/** Types and encodings the all-types table does not have on MariaDB, that zongji decodes all the same. */
const OTHER_COLUMNS: Case[] = [
  { name: 'char_long_multibyte', column: text(254, { max_length: 400 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'char(100)' }, bytes: prefixed(2, 400) },
  { name: 'char_latin1', column: text(254, { max_length: 20 }, 'latin1'), schema: { COLUMN_TYPE: 'char(20)' }, bytes: prefixed(1, 20) },
  { name: 'uuid', column: plain(254, { max_length: 16 }), schema: { COLUMN_TYPE: 'uuid' }, bytes: prefixed(1, 16) },
  { name: 'enum_wide', column: text(247, { size: 2 }, 'utf8mb4'), schema: { COLUMN_TYPE: "enum('a','b')" }, bytes: (random) => Buffer.from([1 + (random(1)[0]! % 2), 0]) },
  { name: 'set_wide', column: text(248, { size: 8 }, 'utf8mb4'), schema: { COLUMN_TYPE: "set('a','b')" }, bytes: (random) => Buffer.from([random(1)[0]! % 4, 0, 0, 0, 0, 0, 0, 0]) },
  { name: 'var_string', column: text(253, {}, 'utf8mb4'), schema: { COLUMN_TYPE: 'varchar(10)' }, bytes: (random) => lengthPrefixed(1, random(random(1)[0]! % 200)) },
  { name: 'time_classic', column: plain(11), schema: { COLUMN_TYPE: 'time' }, bytes: fixed(3) },
  { name: 'time_hires', column: plain(11), schema: { COLUMN_TYPE: 'time(4) /* mariadb-5.3 */' }, bytes: fixed(5) },
  { name: 'datetime_classic', column: plain(12), schema: { COLUMN_TYPE: 'datetime' }, bytes: (random) => Buffer.concat([random(4), Buffer.alloc(4)]) },
  { name: 'datetime_hires', column: plain(12), schema: { COLUMN_TYPE: 'datetime(3) /* mariadb-5.3 */' }, bytes: fixed(6) },
  { name: 'timestamp_classic', column: plain(7), schema: { COLUMN_TYPE: 'timestamp' }, bytes: fixed(4) },
  { name: 'timestamp_hires', column: plain(7), schema: { COLUMN_TYPE: 'timestamp(5) /* mariadb-5.3 */' }, bytes: (random) => Buffer.concat([random(4), Buffer.from([0x00, 0x01, 0x02])]) },
  { name: 'mysql_json', column: text(245, { length_size: 4 }, null), schema: { COLUMN_TYPE: 'json' }, bytes: constant(lengthPrefixed(4, Buffer.from([0x04, 0x01]))) },
  { name: 'geometry', column: plain(255, { length_size: 4 }), schema: { COLUMN_TYPE: 'point' }, bytes: constant(lengthPrefixed(4, WKB_POINT)) },
  { name: 'tinyblob_code', column: plain(249, { length_size: 1 }), schema: { COLUMN_TYPE: 'tinyblob' }, bytes: prefixed(1, 255) },
];

const named = (cases: Case[]): TableMapEntry => ({ columns: cases.map((c) => ({ name: c.name, ...c.column })), columnSchemas: cases.map((c) => c.schema) });

/** One row image of `cases`: every column present unless `present` says otherwise, NULLs where `nulls` has a bit. */
function image(cases: Case[], random: Random, present: Buffer, nulls: (n: number) => boolean): Buffer {
  const values: Buffer[] = [];
  let nullBits = 0;
  const nullBitmap = Buffer.alloc(Math.ceil(cases.filter((_, i) => (present[i >> 3]! >> (i & 7)) & 1).length / 8));
  cases.forEach((c, i) => {
    if (((present[i >> 3]! >> (i & 7)) & 1) === 0) return;
    if (nulls(nullBits)) nullBitmap[nullBits >> 3]! |= 1 << (nullBits & 7);
    else values.push(c.bytes(random));
    nullBits++;
  });
  return Buffer.concat([nullBitmap, ...values]);
}

const allPresent = (count: number): Buffer => Buffer.alloc(Math.ceil(count / 8), 0xff);

/** Where readRow leaves its cursor, decoding the image at `at`. */
function readEnd(map: TableMapEntry, buffer: Buffer, at: number, present: Buffer): { row: Record<string, unknown>; end: number } {
  const parser = new Parser();
  parser.append(buffer);
  parser._offset = at;
  const row = readRow(parser, map, present, zongji);
  return { row, end: parser._offset };
}

describe('row skipper: a row image ends where readRow leaves its cursor', () => {
  for (const c of [...ALL_TYPES_COLUMNS, ...OTHER_COLUMNS]) {
    it(`${c.name} (type ${c.column.type}, ${c.schema.COLUMN_TYPE}): 300 random values`, () => {
      const map = named([c]);
      const skipper = rowSkipper(map);
      expect(skipper, `${c.name} should be skippable`).toBeDefined();
      const random = randomBytes(c.name.length * 7919 + c.column.type);
      for (let i = 0; i < 300; i++) {
        // Junk before and after: the image sits inside an event.
        const buffer = Buffer.concat([random(3), image([c], random, allPresent(1), () => i % 10 === 0), random(5)]);
        const { end } = readEnd(map, buffer, 3, allPresent(1));
        expect(skipRow(skipper!, buffer, 3, allPresent(1), buffer.length), `${c.name}, bytes ${buffer.toString('hex')}`).toBe(end);
      }
    });
  }

  it('whole all-types rows with NULLs and absent columns: the same end', () => {
    const map = named(ALL_TYPES_COLUMNS);
    const skipper = rowSkipper(map)!;
    const random = randomBytes(17);
    for (let i = 0; i < 300; i++) {
      const present = random(Math.ceil(ALL_TYPES_COLUMNS.length / 8));
      present[0]! |= 1;
      const nulls = random(8);
      const buffer = Buffer.concat([image(ALL_TYPES_COLUMNS, random, present, (n) => ((nulls[n >> 3]! >> (n & 7)) & 1) === 1 && n % 3 === 0), random(4)]);
      expect(skipRow(skipper, buffer, 0, present, buffer.length)).toBe(readEnd(map, buffer, 0, present).end);
    }
  });

  it('decodes instead where it cannot be sure: compressed columns, unknown types, a row past the end of the event', () => {
    expect(rowSkipper(named([{ name: 'c', column: text(141, { max_length: 100 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'varchar(100) /*M!100301 COMPRESSED*/' }, bytes: fixed(0) }]))).toBeUndefined();
    expect(rowSkipper(named([{ name: 'c', column: plain(140, { length_size: 2 }), schema: { COLUMN_TYPE: 'blob /*M!100301 COMPRESSED*/' }, bytes: fixed(0) }]))).toBeUndefined();
    expect(rowSkipper(named([{ name: 'c', column: plain(0), schema: { COLUMN_TYPE: 'decimal(10,0)' }, bytes: fixed(0) }]))).toBeUndefined();
    expect(rowSkipper(named([{ name: 'c', column: plain(252), schema: { COLUMN_TYPE: 'blob' }, bytes: fixed(0) }]))).toBeUndefined();
    const skipper = rowSkipper(named([ALL_TYPES_COLUMNS[26]!]))!;
    // A VARCHAR whose length says 300 bytes, in an event that has 10 left.
    expect(skipRow(skipper, Buffer.from([0x00, 0x2c, 0x01, ...Buffer.alloc(10)]), 0, allPresent(1), 13)).toBeUndefined();
  });
});

describe('lazy row changes: images decoded on read equal readRow', () => {
  const map = named(ALL_TYPES_COLUMNS);
  const columns: ColumnInfo[] = map.columns.map((column, i) => ({ name: column.name, typeCode: column.type, columnType: map.columnSchemas[i]!.COLUMN_TYPE, charset: column.charset, unsigned: map.columnSchemas[i]!.UNSIGNED === true }));

  /** An event: a junk header, `rows` images (two per row for updates), a checksum. */
  function event(kind: ChangeKind, random: Random, present: Buffer, present2: Buffer, rows: number) {
    const header = random(27);
    const parts: Buffer[] = [header];
    const starts: number[] = [];
    let at = header.length;
    for (let r = 0; r < rows; r++) {
      starts.push(at);
      const nulls = random(8);
      const images = kind === 'update' ? [present, present2] : [present];
      for (const bitmap of images) {
        const one = image(ALL_TYPES_COLUMNS, random, bitmap, (n) => ((nulls[n >> 3]! >> (n & 7)) & 1) === 1 && n % 4 === 0);
        parts.push(one);
        at += one.length;
      }
    }
    parts.push(random(4));
    return { raw: Buffer.concat(parts), starts };
  }

  for (const kind of ['insert', 'update', 'delete'] as const) {
    it(`${kind}: every image of 100 random all-types rows, read in any order, is readRow's`, () => {
      const random = randomBytes(kind.length * 31);
      const present = allPresent(ALL_TYPES_COLUMNS.length);
      const present2 = random(present.length);
      present2[0]! |= 1;
      const { raw, starts } = event(kind, random, present, present2, 100);
      const parser = new Parser();
      parser.append(raw);
      const images = new LazyImages(raw, rowSkipper(map)!, present, kind === 'update' ? present2 : undefined, parser, (p, bitmap) => readRow(p, map, bitmap, zongji));
      const changes = starts.map((at) => new LazyRowChange('s', 't', kind, columns, images, at));
      // After images first on odd rows: one image's decode must not disturb the other's.
      for (const [r, change] of changes.entries()) {
        const first = readEnd(map, raw, starts[r]!, present);
        const expected = {
          before: kind === 'insert' ? undefined : first.row,
          after: kind === 'delete' ? undefined : kind === 'insert' ? first.row : readEnd(map, raw, first.end, present2).row,
        };
        const read = r % 2 === 1 ? { after: change.after, before: change.before } : { before: change.before, after: change.after };
        expect(read.before, `row ${r} before`).toStrictEqual(expected.before);
        expect(read.after, `row ${r} after`).toStrictEqual(expected.after);
        // Cached: the same object on a second read.
        if (expected.after) expect(change.after).toBe(read.after);
        expect(JSON.parse(JSON.stringify(change))).toEqual(JSON.parse(JSON.stringify({ schema: 's', table: 't', kind, columns, ...expected })));
      }
    });
  }

  it('an image assigned replaces the decoded one, as on a plain change', () => {
    const random = randomBytes(5);
    const present = allPresent(ALL_TYPES_COLUMNS.length);
    const { raw, starts } = event('insert', random, present, present, 1);
    const parser = new Parser();
    parser.append(raw);
    const change = new LazyRowChange('s', 't', 'insert', columns, new LazyImages(raw, rowSkipper(map)!, present, undefined, parser, (p, bitmap) => readRow(p, map, bitmap, zongji)), starts[0]!);
    change.after = { id: 1 };
    expect(change.after).toStrictEqual({ id: 1 });
    expect({ ...change }).toStrictEqual({ schema: 's', table: 't', kind: 'insert', columns });
  });
});
