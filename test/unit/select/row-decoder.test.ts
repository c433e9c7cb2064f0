import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRow, zongjiRowReaders, type BinlogParser, type TableMapEntry } from '../../../node/select/row-decoder.ts';
import { fastDecoder, type MapColumn, type MapColumnSchema } from '../../../node/select/value-decoders.ts';
import { randomBytes } from '../../support/random-bytes.ts';

// zongji's own pieces, loaded by path as row-decoder.ts does: the reference to compare with.
const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
const { Parser } = (await import(pathToFileURL(join(zongjiDir, 'lib', 'reader.js')).href)) as { Parser: new () => BinlogParser & { append(buffer: Buffer): void } };
const { readMysqlValue } = (await import(pathToFileURL(join(zongjiDir, 'lib', 'common.js')).href)) as {
  readMysqlValue: (parser: BinlogParser, column: MapColumn, schema: MapColumnSchema, map: TableMapEntry, zongji: unknown) => unknown;
};
/** What zongji reads of its instance while decoding: Ferry's connection options (binlog-options.ts). */
const zongji = { connection: { config: { dateStrings: true, timezone: 'Z', jsonStrings: true } }, emit: () => undefined };


interface Case {
  label: string;
  column: MapColumn;
  schema: MapColumnSchema;
  /** Bytes of one value: fixed width, or a length prefix and a body for strings. */
  bytes: (random: (length: number) => Buffer) => Buffer;
}

const fixed = (width: number) => (random: (length: number) => Buffer) => random(width);
const prefixed = (prefixBytes: number, maxLength: number) => (random: (length: number) => Buffer) => {
  const length = random(1)[0]! % (maxLength + 1);
  const prefix = Buffer.alloc(prefixBytes);
  prefix.writeUIntLE(length, 0, prefixBytes);
  // Mostly text, with bytes that are not valid UTF-8 now and then.
  const body = Buffer.from(random(length).map((b) => (b % 7 === 0 ? b : 0x61 + (b % 26))));
  return Buffer.concat([prefix, body]);
};
const col = (type: number, metadata: Record<string, number> = {}, charset: string | null = null): MapColumn => ({ name: `c${type}`, type, charset, metadata });

const CASES: Case[] = [
  { label: 'TINYINT', column: col(1), schema: { COLUMN_TYPE: 'tinyint(4)' }, bytes: fixed(1) },
  { label: 'TINYINT UNSIGNED', column: col(1), schema: { COLUMN_TYPE: 'tinyint(3) unsigned', UNSIGNED: true }, bytes: fixed(1) },
  { label: 'SMALLINT', column: col(2), schema: { COLUMN_TYPE: 'smallint(6)' }, bytes: fixed(2) },
  { label: 'SMALLINT UNSIGNED', column: col(2), schema: { COLUMN_TYPE: 'smallint(5) unsigned' }, bytes: fixed(2) },
  { label: 'MEDIUMINT', column: col(9), schema: { COLUMN_TYPE: 'mediumint(9)', UNSIGNED: false }, bytes: fixed(3) },
  { label: 'MEDIUMINT UNSIGNED', column: col(9), schema: { COLUMN_TYPE: 'mediumint(8) unsigned' }, bytes: fixed(3) },
  { label: 'INT', column: col(3), schema: { COLUMN_TYPE: 'int(11)' }, bytes: fixed(4) },
  { label: 'INT UNSIGNED', column: col(3), schema: { COLUMN_TYPE: 'int(10) unsigned', UNSIGNED: true }, bytes: fixed(4) },
  { label: 'FLOAT', column: col(4), schema: { COLUMN_TYPE: 'float' }, bytes: fixed(4) },
  { label: 'DOUBLE', column: col(5), schema: { COLUMN_TYPE: 'double' }, bytes: fixed(8) },
  ...[[10, 2], [1, 0], [5, 5], [18, 9], [20, 0], [65, 30], [12, 4], [38, 10]].map(([precision, decimals]): Case => {
    const integral = precision! - decimals!;
    const bytesOf = (digits: number) => Math.floor(digits / 9) * 4 + [0, 1, 1, 2, 2, 3, 3, 4, 4, 4][digits % 9]!;
    return { label: `DECIMAL(${precision},${decimals})`, column: col(246, { precision: precision!, decimals: decimals! }), schema: { COLUMN_TYPE: `decimal(${precision},${decimals})` }, bytes: fixed(bytesOf(integral) + bytesOf(decimals!)) };
  }),
  { label: 'DATE', column: col(10), schema: { COLUMN_TYPE: 'date' }, bytes: fixed(3) },
  ...[0, 1, 2, 3, 4, 5, 6].map((decimals): Case => ({ label: `DATETIME(${decimals})`, column: col(18, { decimals }), schema: { COLUMN_TYPE: decimals ? `datetime(${decimals})` : 'datetime' }, bytes: fixed(5 + Math.ceil(decimals / 2)) })),
  { label: 'VARCHAR(40) utf8mb4', column: col(15, { max_length: 160 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'varchar(40)' }, bytes: prefixed(1, 160) },
  { label: 'VARCHAR(300) utf8mb4', column: col(15, { max_length: 1200 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'varchar(300)' }, bytes: prefixed(2, 1200) },
  { label: 'CHAR(10) utf8mb3', column: col(254, { max_length: 30 }, 'utf8mb3'), schema: { COLUMN_TYPE: 'char(10)' }, bytes: prefixed(1, 30) },
  { label: 'TEXT utf8mb4', column: col(252, { length_size: 2 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'text' }, bytes: prefixed(2, 400) },
  { label: 'LONGTEXT (MariaDB JSON) utf8mb4', column: col(252, { length_size: 4 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'longtext' }, bytes: prefixed(4, 300) },
];

describe('row-decoder: the fast decoders give exactly zongji values', () => {
  for (const { label, column, schema, bytes } of CASES) {
    it(`${label}: 500 random encodings decode to the same value and end at the same offset`, () => {
      const decoder = fastDecoder(column, schema);
      expect(decoder, `${label} should have a fast decoder`).toBeDefined();
      const random = randomBytes(label.length * 7919 + column.type);
      for (let i = 0; i < 500; i++) {
        const value = bytes(random);
        const parser = new Parser();
        parser.append(Buffer.concat([value, Buffer.from([0xee])]));
        const expected = readMysqlValue(parser, column, schema, { columns: [column], columnSchemas: [schema] }, zongji);
        const cursor = { at: 0 };
        const actual = decoder!(parser._buffer, cursor);
        expect(actual, `${label}, bytes ${value.toString('hex')}`).toStrictEqual(expected);
        expect(cursor.at).toBe(parser._offset);
      }
    });
  }

  it('leaves the types it does not speed up to zongji: BIGINT, TIMESTAMP, TIME, ENUM, SET, BIT, binary strings, latin1 text', () => {
    expect(fastDecoder(col(8), { COLUMN_TYPE: 'bigint(20)' })).toBeUndefined();
    expect(fastDecoder(col(17, { decimals: 0 }), { COLUMN_TYPE: 'timestamp' })).toBeUndefined();
    expect(fastDecoder(col(19, { decimals: 0 }), { COLUMN_TYPE: 'time' })).toBeUndefined();
    expect(fastDecoder(col(247, { size: 1 }), { COLUMN_TYPE: "enum('a')" })).toBeUndefined();
    expect(fastDecoder(col(16, { bits: 8 }), { COLUMN_TYPE: 'bit(8)' })).toBeUndefined();
    expect(fastDecoder(col(15, { max_length: 16 }, null), { COLUMN_TYPE: 'varbinary(16)' })).toBeUndefined();
    expect(fastDecoder(col(254, { max_length: 16 }, null), { COLUMN_TYPE: 'uuid' })).toBeUndefined();
    expect(fastDecoder(col(15, { max_length: 40 }, 'latin1'), { COLUMN_TYPE: 'varchar(40)' })).toBeUndefined();
    expect(fastDecoder(col(252, { length_size: 2 }, null), { COLUMN_TYPE: 'blob' })).toBeUndefined();
  });
});

describe('row-decoder: whole rows', () => {
  it('reads rows with NULLs, absent columns and zongji-decoded columns exactly as zongji readRow does', () => {
    const picked = [CASES[6]!, CASES[10]!, { label: 'BIGINT', column: col(8), schema: { COLUMN_TYPE: 'bigint(20)' }, bytes: fixed(8) }, CASES[CASES.length - 4]!, CASES[20]!];
    const columns = picked.map((c, i) => ({ ...c.column, name: `col${i}` }));
    const map: TableMapEntry = { columns, columnSchemas: picked.map((c) => c.schema) };
    const random = randomBytes(42);
    for (let i = 0; i < 300; i++) {
      const present = Buffer.from([random(1)[0]! | 0x01]);
      const presentColumns = picked.map((_, c) => (present[0]! >> c) & 1).reduce((a, b) => a + b, 0);
      const nulls = random(1)[0]! & ((1 << presentColumns) - 1);
      const values = picked.filter((_, c) => (present[0]! >> c) & 1).map((c, n) => ((nulls >> n) & 1 ? Buffer.alloc(0) : c.bytes(random)));
      const image = Buffer.concat([Buffer.from([nulls]), ...values, Buffer.from([0xee])]);
      const viaZongji = new Parser();
      viaZongji.append(image);
      const ours = new Parser();
      ours.append(image);
      const self = { tableMap: { 7: map }, tableId: 7, columns_present_bitmap: present, _zongji: zongji };
      const expected = (zongjiRowReaders.rows as (this: unknown, parser: BinlogParser) => unknown).call(self, viaZongji);
      expect(readRow(ours, map, present, zongji)).toStrictEqual(expected);
      expect(ours._offset).toBe(viaZongji._offset);
    }
  });
});
