import ZongJi, { type AnyBinlogEvent, type DeleteRowsEvent, type UpdateRowsEvent, type WriteRowsEvent } from '@vlasky/zongji';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { isFerryError } from '../../../shared/errors/index.ts';
import type { ChangeKind, ColumnInfo, Row, RowChange } from '../../../shared/model/change.ts';
import { quoteIdentifier, quoteTable, upsertTail } from '../../../shared/mysql/flavor.ts';
import { binlogColumns, type ZongjiTableMapEntry } from '../../../node/select/binlog-columns.ts';
import { binlogConnectionOptions } from '../../../node/select/binlog-options.ts';
import { decodedRows, installRowDecoder } from '../../../node/select/row-decoder.ts';
import { TARGET_SESSION_VARIABLES, toSqlValue, type SqlValue } from '../../../node/transform/values.ts';
import { testDatabase, testSchema, type TestDatabase } from '../../support/mariadb.ts';

// Rows decode as in Ferry's BinlogReader: zongji with Ferry's faster row reader.
installRowDecoder();

/**
 * Source (db1) → binlog → zongji → toSqlValue → mysql2 multi-row INSERT → target (db2), for
 * every MySQL type, and the target must end byte for byte like the source. Each case runs
 * under two process time zones far from UTC (and a non-UTC source session zone) to show the
 * result does not depend on them.
 */

const ALL_TYPES = `(
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
  dec_wide DECIMAL(65,30), dec_money DECIMAL(10,2), f FLOAT, d DOUBLE,
  dt DATE, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL DEFAULT NULL, ts0 TIMESTAMP NULL DEFAULT NULL,
  tm TIME, tm6 TIME(6), yr YEAR,
  ch CHAR(10), vc VARCHAR(100), tx TEXT, mtx MEDIUMTEXT, l1 VARCHAR(300) CHARACTER SET latin1,
  bn BINARY(8), vb VARBINARY(300), bl BLOB, b1 BIT(1), b64 BIT(64),
  en ENUM('a','b','ü'), st SET('x','y','z'), js JSON,
  g_stored BIGINT AS (i + 1) STORED,
  g_virtual VARCHAR(110) AS (CONCAT(vc, '!')) VIRTUAL
) DEFAULT CHARSET=utf8mb4`;

/** Keys that differ only beyond DOUBLE precision: updates and deletes must hit exactly their row. */
const WIDE_KEYS = `(
  k_big BIGINT UNSIGNED NOT NULL, k_dec DECIMAL(65,30) NOT NULL, v VARCHAR(20),
  PRIMARY KEY (k_big, k_dec)
)`;

const hexOf = (bytes: number[]): string => Buffer.from(bytes).toString('hex');
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => i);
/** zongji decodes these latin1 bytes to U+FFFD (its cp1252 decoder has no character for them). */
const LATIN1_LOST = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/** Column → SQL expression on the source, session time zone +05:45. Missing columns are NULL. */
const SOURCE_ROWS: Array<Record<string, string>> = [
  {
    // Zero and awkward values. id 0 needs NO_AUTO_VALUE_ON_ZERO on both sides. Zero dates: a
    // source may hold them (MariaDB's default sql_mode allows them), so the target session
    // allows them too (TARGET_SESSION_VARIABLES) and they are copied like any other value.
    id: '0', i: '0', bi: '9007199254740993', biu: '9007199254740992', dec_wide: '0.000000000000000000000000000001',
    dec_money: '-0.01', f: '0.1', d: '0.1e0 + 0.2e0', dt: "'0000-00-00'", dtm: "'0000-00-00 00:00:00'", dtm0: "'2024-02-29 12:00:00'",
    ts: "'0000-00-00 00:00:00'", ts0: "'0000-00-00 00:00:00'", tm: "'-00:00:01'", tm6: "'-00:00:00.000001'", yr: '0',
    ch: "'ab  '", vc: "'trailing  '", tx: "'quotes '' \" \\\\ \\n \\t \\0 % _ ?'", l1: "''", bn: "X'00ff7f80'",
    vb: "X'00'", bl: "X''", b1: "b'0'", b64: "b'1'", en: "'b'", st: "'z,x'",
    js: `'{"a": 1.0, "big": 123456789012345678901234567890, "neg": -0.0, "s": "é 😀", "arr": [1, 2.50, null, true, 1e2]}'`,
  },
  {
    id: '1', ti: '127', tiu: '255', si: '32767', siu: '65535', mi: '8388607', miu: '16777215', i: '2147483647', iu: '4294967295',
    bi: '9223372036854775807', biu: '18446744073709551615',
    dec_wide: '99999999999999999999999999999999999.999999999999999999999999999999', dec_money: '99999999.99',
    f: '3.4028234663852886e38', d: '1.7976931348623157e308', dt: "'9999-12-31'", dtm: "'9999-12-31 23:59:59.999999'",
    dtm0: "'9999-12-31 23:59:59'", ts: "'2038-01-19 08:59:07.999999'", ts0: "'2038-01-19 08:59:07'",
    tm: "'838:59:59'", tm6: "'838:59:59.999999'", yr: '2155',
    ch: "'😀ü'", vc: "'emoji 😀 and 𝄞'", tx: "REPEAT('é😀', 1000)", mtx: "REPEAT('😀é', 40000)",
    l1: `CONVERT(X'${hexOf(ALL_BYTES.filter((b) => !LATIN1_LOST.includes(b)))}' USING latin1)`,
    bn: "X'ffffffffffffffff'", vb: `X'${hexOf(ALL_BYTES)}'`, bl: `X'${hexOf([...ALL_BYTES, ...[...ALL_BYTES].reverse()])}'`,
    b1: "b'1'", b64: `b'${'1'.repeat(64)}'`, en: "'ü'", st: "'x,y,z'", js: `'["é", {"k": 12345678901234567890}, 1.10]'`,
  },
  {
    id: '2', ti: '-128', tiu: '0', si: '-32768', siu: '0', mi: '-8388608', miu: '0', i: '-2147483648', iu: '0',
    bi: '-9223372036854775808', biu: '0',
    dec_wide: '-99999999999999999999999999999999999.999999999999999999999999999999', dec_money: '-99999999.99',
    f: '-1.1754943508222875e-38', d: '-2.2250738585072014e-308', dt: "'1000-01-01'", dtm: "'1000-01-01 00:00:00.000000'",
    dtm0: "'1000-01-01 00:00:00'", ts: "'1970-01-01 05:45:01.000001'", ts0: "'1970-01-01 05:45:01'",
    tm: "'-838:59:59'", tm6: "'-838:59:59.999999'", yr: '1901', ch: "''", vc: "''", tx: "''", mtx: "''", l1: "''",
    bn: "X''", vb: "X''", bl: "X''", b1: "b'0'", b64: "b'0'", en: "'a'", st: "''", js: "'[]'",
  },
  { id: '3' },
  {
    id: '4', f: '1.401298464324817e-45', d: '5e-324', dtm: "'2021-03-28 02:30:00.5'", ts: "'2021-10-31 02:30:00.25'",
    tm: "'-00:00:00'", tm6: "'-12:00:00.5'", dt: "'2020-00-15'",
  },
];

const SOURCE_CHANGES = [
  "UPDATE all_types SET vc = 'updated 😀', d = d / 3, biu = biu - 1, ts = '2001-02-03 04:05:06.654321' WHERE id = 1",
  "UPDATE all_types SET ti = 1, js = '{}', l1 = 'Ã©' WHERE id = 3",
  'DELETE FROM all_types WHERE id = 2',
  `INSERT INTO wide_keys VALUES
     (18446744073709551615, 1.000000000000000000000000000001, 'a'), (18446744073709551614, 1.000000000000000000000000000001, 'b'),
     (18446744073709551615, 1, 'c'), (18446744073709551614, 1, 'd'), (0, 0.5, 'e')`,
  "UPDATE wide_keys SET v = 'A' WHERE k_big = 18446744073709551615 AND k_dec = 1.000000000000000000000000000001",
  // Two rows in one event: the target deletes them with one IN list of key tuples.
  'DELETE FROM wide_keys WHERE (k_big = 18446744073709551614 AND k_dec = 1) OR k_big = 0',
];

describe.each([
  { zone: 'Pacific/Kiritimati', offset: -14 * 60 },
  { zone: 'Pacific/Pago_Pago', offset: 11 * 60 },
])('value round trip with the process in $zone', ({ zone, offset }) => {
  const originalZone = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = zone;
  });
  afterAll(() => {
    if (originalZone === undefined) delete process.env.TZ;
    else process.env.TZ = originalZone;
  });

  it('writes inserts, updates and deletes of every type exactly', async () => {
    expect(new Date('2024-01-01T00:00:00Z').getTimezoneOffset()).toBe(offset);
    const source = await testDatabase('db1');
    const target = await testDatabase('db2');
    const sourceSchema = await testSchema(source, 'src');
    const targetSchema = await testSchema(target, 'dst');
    for (const [name, body] of [['all_types', ALL_TYPES], ['wide_keys', WIDE_KEYS]] as const) {
      await source.connection.query(`CREATE TABLE ${quoteTable(sourceSchema, name)} ${body}`);
      await target.connection.query(`CREATE TABLE ${quoteTable(targetSchema, name)} ${body}`);
    }

    const reader = await startBinlogReader(source, sourceSchema);
    const decodedBefore = decodedRows.count;
    await source.connection.query(`USE ${quoteIdentifier(sourceSchema)}`);
    await source.connection.query("SET time_zone = '+05:45', sql_mode = 'STRICT_TRANS_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'");
    await source.connection.query(insertSql(SOURCE_ROWS));
    for (const sql of SOURCE_CHANGES) await source.connection.query(sql);
    // all_types: 5 inserts, 2 updates, 1 delete; wide_keys: 5 inserts, 1 update, 2 deletes.
    await expect.poll(() => reader.changeCount(), { timeout: 120_000 }).toBe(8 + 8);
    // Every row image (an update has two) went through node/select/row-decoder.ts, and decoded as zongji documents.
    expect(decodedRows.count - decodedBefore).toBeGreaterThanOrEqual(8 + 8);
    documentZongjiDecoding(reader.events.flat());

    await target.connection.query(`SET time_zone = ?, sql_mode = ?`, [TARGET_SESSION_VARIABLES.time_zone, TARGET_SESSION_VARIABLES.sql_mode]);
    for (const event of reader.events) await applyEvent(target.connection, targetSchema, event);

    await source.connection.query("SET time_zone = '+00:00'");
    for (const table of ['all_types', 'wide_keys']) {
      const sourceRows = await exactRows(source.connection, sourceSchema, table);
      const targetRows = await exactRows(target.connection, targetSchema, table);
      expect(targetRows.length).toBe(table === 'all_types' ? 4 : 3);
      expect(sourceRows.length).toBe(targetRows.length);
      for (let index = 0; index < sourceRows.length; index++) expect(targetRows[index], `${table} row ${index}`).toEqual(sourceRows[index]);
      expect(await checksum(target.connection, targetSchema, table)).toBe(await checksum(source.connection, sourceSchema, table));
    }

    // Spot checks in UTC, so a wrong conversion applied to both sides alike cannot pass.
    const [utc] = await target.connection.query<RowDataPacket[]>(
      `SELECT CAST(ts AS CHAR) ts, CAST(yr AS CHAR) yr, CAST(d AS CHAR) d, CAST(biu AS CHAR) biu, HEX(bn) bn FROM ${quoteTable(targetSchema, 'all_types')} ORDER BY id`,
    );
    expect(utc).toEqual([
      { ts: '0000-00-00 00:00:00.000000', yr: '0000', d: '0.30000000000000004', biu: '9007199254740992', bn: '00FF7F8000000000' },
      { ts: '2001-02-02 22:20:06.654321', yr: '2155', d: '5.992310449541053e307', biu: '18446744073709551614', bn: 'FFFFFFFFFFFFFFFF' },
      { ts: null, yr: null, d: null, biu: null, bn: null },
      { ts: '2021-10-30 20:45:00.250000', yr: null, d: '5e-324', biu: null, bn: null },
    ]);
    const [keys] = await target.connection.query<RowDataPacket[]>(`SELECT v FROM ${quoteTable(targetSchema, 'wide_keys')} ORDER BY k_big, k_dec`);
    expect(keys.map((row) => row.v as string)).toEqual(['b', 'c', 'A']);
  });
});

describe('converted key values', () => {
  it('match exactly in a WHERE clause, even when the server scans the table', async () => {
    const target = await testDatabase('db2');
    const schema = await testSchema(target, 'dst');
    // No index: nothing narrows the comparison to the column type first. Compared with a quoted
    // string, both columns would compare as DOUBLE and every row would match.
    await target.connection.query(`CREATE TABLE ${quoteTable(schema, 'scan')} (k_big BIGINT UNSIGNED, k_dec DECIMAL(65,30), v CHAR(1))`);
    await target.connection.query(`INSERT INTO ${quoteTable(schema, 'scan')} VALUES
      (18446744073709551615, 1.000000000000000000000000000001, 'a'), (18446744073709551614, 1.000000000000000000000000000001, 'b'),
      (18446744073709551615, 1, 'c'), (18446744073709551614, 1, 'd')`);
    const bigColumn: ColumnInfo = { name: 'k_big', typeCode: 8, columnType: 'bigint unsigned', charset: null, unsigned: true };
    const decColumn: ColumnInfo = { name: 'k_dec', typeCode: 246, columnType: 'decimal(65,30)', charset: null, unsigned: false };
    // The raw values as zongji decodes them: exact strings.
    const keys = [['18446744073709551614', '1.000000000000000000000000000000'], ['0', '0.500000000000000000000000000000']];
    const params = keys.flatMap(([big, dec]) => [toSqlValue(big, bigColumn, 'scan'), toSqlValue(dec, decColumn, 'scan')]);
    const [rows] = await target.connection.query<RowDataPacket[]>(`SELECT v FROM ${quoteTable(schema, 'scan')} WHERE (k_big, k_dec) IN ((?, ?), (?, ?))`, params);
    expect(rows.map((row) => row.v as string)).toEqual(['d']);
  });
});

describe('values zongji cannot decode exactly', () => {
  it('are refused with FERRY_ERR_VALUE_UNSUPPORTED rather than written wrong', async () => {
    const source = await testDatabase('db1');
    const schema = await testSchema(source, 'src');
    await source.connection.query(`CREATE TABLE ${quoteTable(schema, 'lossy')} (id INT PRIMARY KEY, l1 VARCHAR(10) CHARACTER SET latin1, en ENUM('a','b'), geo POINT)`);
    const reader = await startBinlogReader(source, schema);
    await source.connection.query(`USE ${quoteIdentifier(schema)}`);
    // Non-strict, as a legacy application may run: an unknown ENUM value is stored as index 0.
    await source.connection.query("SET sql_mode = ''");
    await source.connection.query(`INSERT INTO lossy VALUES (1, CONVERT(X'41${hexOf(LATIN1_LOST)}' USING latin1), 'c', POINT(1, 2))`);
    await expect.poll(() => reader.changeCount(), { timeout: 120_000 }).toBe(1);

    const [change] = reader.events.flat();
    if (!change?.after) throw new Error('no insert decoded');
    expect(change.after).toMatchObject({ id: 1, l1: 'A\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD', en: undefined, geo: { x: 1, y: 2 } });
    for (const name of ['l1', 'en', 'geo']) {
      const column = columnNamed(change.columns, name);
      let caught: unknown;
      try {
        toSqlValue(change.after[name], column, `${schema}.lossy`);
      } catch (error) {
        caught = error;
      }
      expect(isFerryError(caught, 'FERRY_ERR_VALUE_UNSUPPORTED'), name).toBe(true);
      expect((caught as Error).message).toContain(`column ${name}`);
    }
  });
});

/** Asserts what zongji hands over for the types with surprises; the converter handles each. */
function documentZongjiDecoding(changes: RowChange[]): void {
  const inserted = changes.filter((change) => change.kind === 'insert' && change.table === 'all_types').map((change) => change.after ?? {});
  const [zero, max] = inserted;
  expect(zero).toMatchObject({ yr: 1900, bi: '9007199254740993', biu: '9007199254740992', ts: '0000-00-00 00:00:00.000000', tm6: '-00:00:00.000001' });
  expect(max).toMatchObject({ biu: '18446744073709551615', ts: '2038-01-19 03:14:07.999999', tm6: '838:59:59.999999' });
  // Both generated columns arrive with values, the VIRTUAL one too, though the table does
  // not store it; applyEvent leaves them out (the loader learns them from information_schema).
  expect(max).toMatchObject({ g_stored: 2147483648, g_virtual: 'emoji 😀 and 𝄞!' });
}

const ROWS_EVENT_KINDS: Partial<Record<string, ChangeKind>> = { WriteRows: 'insert', UpdateRows: 'update', DeleteRows: 'delete' };

interface BinlogReader {
  /** One entry per rows event: the changes it carries, in binlog order. */
  events: RowChange[][];
  /** Changes so far; throws what zongji reported instead, so a failed decode is not a timeout. */
  changeCount(): number;
}

async function startBinlogReader(db: TestDatabase, schema: string): Promise<BinlogReader> {
  const credentials = new URL(db.replicationUrl);
  const options = binlogConnectionOptions({ host: db.instance.host, port: db.instance.port, user: credentials.username, password: credentials.password });
  const zongji = new ZongJi({ ...options });
  const errors: Error[] = [];
  const events: RowChange[][] = [];
  const reader: BinlogReader = {
    events,
    changeCount: () => {
      if (errors[0]) throw errors[0];
      return events.flat().length;
    },
  };
  zongji.on('binlog', (event: AnyBinlogEvent) => {
    const kind = ROWS_EVENT_KINDS[event.getTypeName()];
    if (kind === undefined) return;
    const rowsEvent = event as WriteRowsEvent | UpdateRowsEvent | DeleteRowsEvent;
    const entry = rowsEvent.tableMap[rowsEvent.tableId];
    if (entry?.parentSchema !== schema || entry.columns === undefined) return;
    const base = { schema, table: entry.tableName, columns: binlogColumns(entry as ZongjiTableMapEntry), kind };
    events.push(rowsEvent.rows.map((row): RowChange => {
      if (kind === 'insert') return { ...base, after: row as Row };
      if (kind === 'delete') return { ...base, before: row as Row };
      return { ...base, ...(row as { before: Row; after: Row }) };
    }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    zongji.once('ready', () => resolve());
    zongji.on('error', (error) => {
      errors.push(error);
      reject(error);
    });
  });
  zongji.start({ serverId: 20_000 + Math.floor(Math.random() * 10_000), startAtEnd: true, includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows'] });
  onTestFinished(() => new Promise<void>((resolve) => {
    zongji.once('stopped', () => resolve());
    zongji.stop();
  }));
  await ready;
  return reader;
}

function insertSql(rows: Array<Record<string, string>>): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const values = rows.map((row) => `(${columns.map((column) => row[column] ?? 'NULL').join(', ')})`);
  return `INSERT INTO all_types (${columns.map(quoteIdentifier).join(', ')}) VALUES ${values.join(',\n')}`;
}

interface TargetTable {
  writable: string[];
  primaryKey: string[];
}

async function describeTarget(connection: Connection, schema: string, table: string): Promise<TargetTable> {
  const [columns] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME name, IS_GENERATED generated, COLUMN_KEY k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table],
  );
  return {
    writable: columns.filter((column) => column.generated === 'NEVER').map((column) => column.name as string),
    primaryKey: columns.filter((column) => column.k === 'PRI').map((column) => column.name as string),
  };
}

function columnNamed(columns: ColumnInfo[], name: string): ColumnInfo {
  const column = columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`no column ${name} in the binlog table map`);
  return column;
}

/** Converts every decoded value (generated columns included) and writes the writable ones. */
function converted(change: RowChange, image: 'before' | 'after', names: string[]): SqlValue[] {
  const row = change[image];
  if (!row) throw new Error(`${change.kind} without ${image} image`);
  const all = new Map(change.columns.map((column) => [column.name, toSqlValue(row[column.name], column, `${change.schema}.${change.table}`)]));
  return names.map((name) => {
    if (!all.has(name)) throw new Error(`no binlog column ${name}`);
    return all.get(name) ?? null;
  });
}

/** One statement per rows event: multi-row INSERT, multi-row upsert, or DELETE by key. */
async function applyEvent(connection: Connection, schema: string, changes: RowChange[]): Promise<void> {
  const [first] = changes;
  if (!first) return;
  const target = await describeTarget(connection, schema, first.table);
  const table = quoteTable(schema, first.table);
  if (first.kind === 'delete') {
    const key = `(${target.primaryKey.map(quoteIdentifier).join(', ')})`;
    const tuple = `(${target.primaryKey.map(() => '?').join(', ')})`;
    const params = changes.flatMap((change) => converted(change, 'before', target.primaryKey));
    await connection.query(`DELETE FROM ${table} WHERE ${key} IN (${changes.map(() => tuple).join(', ')})`, params);
    return;
  }
  const tuple = `(${target.writable.map(() => '?').join(', ')})`;
  const params = changes.flatMap((change) => converted(change, 'after', target.writable));
  const tail = first.kind === 'update' ? upsertTail('mariadb', target.writable) : '';
  await connection.query(`INSERT INTO ${table} (${target.writable.map(quoteIdentifier).join(', ')}) VALUES ${changes.map(() => tuple).join(', ')}${tail}`, params);
}

/** Every column as exact text: bytes in hex, numbers and times as the server prints them. */
async function exactRows(connection: Connection, schema: string, table: string): Promise<RowDataPacket[]> {
  const [columns] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME name, DATA_TYPE type, COLUMN_KEY k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table],
  );
  const expressions = columns.map(({ name, type }) => `${exactText(`t.${quoteIdentifier(name as string)}`, type as string)} AS ${quoteIdentifier(name as string)}`);
  // Qualified, so ORDER BY sorts on the key columns, not on their text aliases.
  const order = columns.filter((column) => column.k === 'PRI').map((column) => `t.${quoteIdentifier(column.name as string)}`);
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT ${expressions.join(', ')} FROM ${quoteTable(schema, table)} AS t ORDER BY ${order.join(', ')}`);
  return rows;
}

const BYTES_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit']);

function exactText(column: string, dataType: string): string {
  // The server prints FLOAT with 6 digits; widened to DOUBLE it prints every bit.
  if (dataType === 'float') return `CAST(CAST(${column} AS DOUBLE) AS CHAR)`;
  if (BYTES_TYPES.has(dataType)) return `HEX(${column})`;
  return `CAST(${column} AS CHAR)`;
}

async function checksum(connection: Connection, schema: string, table: string): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE ${quoteTable(schema, table)}`);
  const value = rows[0]?.Checksum as number | string | null | undefined;
  if (value === null || value === undefined) throw new Error(`no checksum for ${schema}.${table}`);
  return String(value);
}
