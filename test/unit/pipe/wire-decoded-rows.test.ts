import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRow, type BinlogParser, type TableMapEntry } from '../../../node/select/row-decoder.ts';
import type { MapColumn, MapColumnSchema } from '../../../node/select/value-decoders.ts';
import type { ColumnInfo, RowChange, SourceTransaction } from '../../../shared/model/change.ts';
import { WireDecoder, WireEncoder } from '../../../shared/pipe/index.ts';
import { seeded } from './wire-samples.ts';

// Rows as the select side really has them: random row images decoded by Ferry's binlog row
// decoder (node/select/row-decoder.ts, with zongji's reader for the types it leaves to it),
// then sent through the pipe's format.
const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
const { Parser } = (await import(pathToFileURL(join(zongjiDir, 'lib', 'reader.js')).href)) as { Parser: new () => BinlogParser & { append(buffer: Buffer): void } };
const zongji = { connection: { config: { dateStrings: true, timezone: 'Z', jsonStrings: true } }, emit: () => undefined };

interface TypeCase {
  column: MapColumn;
  schema: MapColumnSchema;
  bytes: (random: () => number) => Buffer;
}

const bytesOf = (random: () => number, length: number): Buffer => Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
const fixed = (length: number) => (random: () => number) => bytesOf(random, length);
const prefixed = (prefixBytes: number, maxLength: number, textish: boolean) => (random: () => number) => {
  const length = Math.floor(random() * (maxLength + 1));
  const prefix = Buffer.alloc(prefixBytes);
  prefix.writeUIntLE(length, 0, prefixBytes);
  const body = bytesOf(random, length).map((b) => (textish && b % 5 !== 0 ? 0x61 + (b % 26) : b));
  return Buffer.concat([prefix, body]);
};
const col = (name: string, type: number, metadata: Record<string, number>, charset: string | null = null): MapColumn => ({ name, type, charset, metadata });

const TYPES: TypeCase[] = [
  { column: col('tiny', 1, {}), schema: { COLUMN_TYPE: 'tinyint(4)' }, bytes: fixed(1) },
  { column: col('int_u', 3, {}), schema: { COLUMN_TYPE: 'int(10) unsigned', UNSIGNED: true }, bytes: fixed(4) },
  { column: col('big', 8, {}), schema: { COLUMN_TYPE: 'bigint(20)' }, bytes: fixed(8) },
  { column: col('big_u', 8, {}), schema: { COLUMN_TYPE: 'bigint(20) unsigned', UNSIGNED: true }, bytes: fixed(8) },
  { column: col('flt', 4, {}), schema: { COLUMN_TYPE: 'float' }, bytes: fixed(4) },
  { column: col('dbl', 5, {}), schema: { COLUMN_TYPE: 'double' }, bytes: fixed(8) },
  { column: col('dec', 246, { precision: 20, decimals: 6 }), schema: { COLUMN_TYPE: 'decimal(20,6)' }, bytes: fixed(10) },
  { column: col('dt', 10, {}), schema: { COLUMN_TYPE: 'date' }, bytes: fixed(3) },
  { column: col('dtm', 18, { decimals: 6 }), schema: { COLUMN_TYPE: 'datetime(6)' }, bytes: fixed(8) },
  { column: col('ts', 17, { decimals: 3 }), schema: { COLUMN_TYPE: 'timestamp(3)' }, bytes: fixed(6) },
  { column: col('tm', 19, { decimals: 0 }), schema: { COLUMN_TYPE: 'time' }, bytes: fixed(3) },
  { column: col('yr', 13, {}), schema: { COLUMN_TYPE: 'year(4)' }, bytes: fixed(1) },
  { column: col('en', 247, { size: 1 }), schema: { COLUMN_TYPE: "enum('a','bb','ccc')" }, bytes: (r) => Buffer.from([Math.floor(r() * 5)]) },
  { column: col('st', 248, { size: 1 }), schema: { COLUMN_TYPE: "set('x','y','z')" }, bytes: (r) => Buffer.from([Math.floor(r() * 8)]) },
  { column: col('bits', 16, { bits: 12 }), schema: { COLUMN_TYPE: 'bit(12)' }, bytes: fixed(2) },
  { column: col('vc', 15, { max_length: 160 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'varchar(40)' }, bytes: prefixed(1, 160, true) },
  { column: col('lat', 15, { max_length: 40 }, 'latin1'), schema: { COLUMN_TYPE: 'varchar(40)' }, bytes: prefixed(1, 40, false) },
  { column: col('vb', 15, { max_length: 40 }), schema: { COLUMN_TYPE: 'varbinary(40)' }, bytes: prefixed(1, 40, false) },
  { column: col('bin', 254, { max_length: 8 }), schema: { COLUMN_TYPE: 'binary(8)' }, bytes: prefixed(1, 8, false) },
  { column: col('uid', 254, { max_length: 16 }), schema: { COLUMN_TYPE: 'uuid' }, bytes: prefixed(1, 16, false) },
  { column: col('txt', 252, { length_size: 2 }, 'utf8mb4'), schema: { COLUMN_TYPE: 'text' }, bytes: prefixed(2, 300, true) },
  { column: col('u16', 252, { length_size: 2 }, 'utf16'), schema: { COLUMN_TYPE: 'text' }, bytes: (r) => Buffer.concat([Buffer.from([6, 0]), bytesOf(r, 6)]) },
  { column: col('blb', 252, { length_size: 2 }), schema: { COLUMN_TYPE: 'blob' }, bytes: prefixed(2, 300, false) },
];

const columnInfo = (c: TypeCase): ColumnInfo => ({ name: c.column.name, typeCode: c.column.type, columnType: c.schema.COLUMN_TYPE, charset: c.column.charset, unsigned: c.schema.UNSIGNED ?? c.schema.COLUMN_TYPE.includes('unsigned') });

describe('pipe wire format: rows decoded from binlog bytes by the real row decoder', () => {
  it('300 random rows of 23 column types (NULLs included) round-trip exactly through every codec family', () => {
    const random = seeded(2026);
    const map: TableMapEntry = { columns: TYPES.map((t) => t.column), columnSchemas: TYPES.map((t) => t.schema) };
    const columns = TYPES.map(columnInfo);
    const present = Buffer.alloc((TYPES.length + 7) >> 3, 0xff);
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const nulls = Buffer.from(Array.from({ length: present.length }, () => (random() < 0.5 ? 0 : Math.floor(random() * 256))));
      const values = TYPES.map((t, c) => ((nulls[c >> 3]! >> (c & 7)) & 1 ? Buffer.alloc(0) : t.bytes(random)));
      const parser = new Parser();
      parser.append(Buffer.concat([nulls, ...values, Buffer.from([0xee])]));
      rows.push(readRow(parser, map, present, zongji));
    }
    // Every JavaScript type the decoder gives shows up.
    const types = new Set(rows.flatMap((row) => Object.values(row).map((v) => (Buffer.isBuffer(v) ? 'Buffer' : v === null ? 'null' : typeof v))));
    expect([...types].sort()).toEqual(['Buffer', 'null', 'number', 'string', 'undefined']);
    const changes: RowChange[] = rows.map((row, i) => (i % 3 === 0 ? { schema: 'db', table: 'all_types', kind: 'insert', columns, before: undefined, after: row } : i % 3 === 1 ? { schema: 'db', table: 'all_types', kind: 'update', columns, before: rows[i - 1]!, after: row } : { schema: 'db', table: 'all_types', kind: 'delete', columns, before: row, after: undefined }));
    const batch: SourceTransaction[] = [{ gtid: '0-1-5', end: { file: 'mysql-bin.000002', pos: 9000, gtidSet: '0-1-5' }, timestamp: 1_765_000_000_000, changes, bytes: 12345 }];
    for (const compression of ['none', 'deflate-1', 'gzip-6', 'brotli-4']) {
      expect(new WireDecoder().decode(new WireEncoder({ compression }).encodeBatch(3, batch)), compression).toStrictEqual({ kind: 'batch', seq: 3, transactions: batch });
    }
  });
});
