import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { quoteIdentifier, quoteTable } from '../../../shared/mysql/flavor.ts';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { checksum, dumpTable } from '../../support/tables.ts';
import { progressAfter } from '../replay/replay-support.ts';
import { ALL_TYPES, FIXED_ROWS, KEY_TABLES, keyTableSql, keyWorkload, randomAllTypesWorkload, SOURCE_ZONE, transaction, WRITABLE } from '../../support/all-types.ts';

/**
 * Every MySQL type through the whole pipeline (`bin/ferry run`): binlog → zongji → Extract →
 * Transform (values.ts) → merge → Load. Inserts, updates (also of the primary key) and
 * deletes in multi-statement transactions, written by a source session whose time zone is
 * +05:45, applied by Ferry processes running in time zones 14 and 11 hours from UTC, and the
 * target must end byte for byte like the source.
 */

/** A source session of its own: time zone +05:45, zero dates allowed, 0 is a valid id. */
async function sourceWriter(pair: ReplicationPair): Promise<Connection> {
  const url = new URL(pair.source.url);
  const connection = await mysql.createConnection({
    host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password),
    database: pair.schema, multipleStatements: true, charset: 'utf8mb4',
  });
  onTestFinished(() => connection.end());
  await connection.query(`SET time_zone = '${SOURCE_ZONE}', sql_mode = 'STRICT_TRANS_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'`);
  return connection;
}

/** Every column as exact text: bytes in hex, numbers and times as the server prints them. */
async function exactRows(connection: Connection, schema: string, table: string): Promise<RowDataPacket[]> {
  const [columns] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME name, DATA_TYPE type, COLUMN_KEY k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table],
  );
  const bytes = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit']);
  const expressions = columns.map(({ name, type }) => {
    const column = `t.${quoteIdentifier(name as string)}`;
    // FLOAT prints 6 digits; widened to DOUBLE it prints every bit.
    const text = type === 'float' ? `CAST(CAST(${column} AS DOUBLE) AS CHAR)` : bytes.has(type as string) ? `HEX(${column})` : `CAST(${column} AS CHAR)`;
    return `${text} AS ${quoteIdentifier(name as string)}`;
  });
  const order = columns.filter((column) => column.k === 'PRI').map((column) => `t.${quoteIdentifier(column.name as string)}`);
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT ${expressions.join(', ')} FROM ${quoteTable(schema, table)} AS t ORDER BY ${order.join(', ')}`);
  return rows;
}

/**
 * Waits until the target's CHECKSUM TABLE equals the source's (failing at once, with Ferry's
 * log, if Ferry exits), then compares every row as HEX and as exact text.
 */
async function expectExactCopy(pair: ReplicationPair, table: string, ferry: FerryProcess, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const failure = (what: string): Error =>
    new Error(`${table}: ${what}\n--- ferry output (last lines) ---\n${ferry.output().split('\n').slice(-12).join('\n')}`);
  while ((await checksum(pair.target.connection, pair.schema, table)) !== (await checksum(pair.source.connection, pair.schema, table))) {
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    if (exit !== null) throw failure(`Ferry exited (${String(exit)}) before the table converged`);
    if (Date.now() > deadline) throw failure(`CHECKSUM TABLE still differs after ${timeoutMs} ms`);
    await sleep(100);
  }
  expect(await dumpTable(pair.target.connection, pair.schema, table), table).toEqual(await dumpTable(pair.source.connection, pair.schema, table));
  const sourceRows = await exactRows(pair.source.connection, pair.schema, table);
  const targetRows = await exactRows(pair.target.connection, pair.schema, table);
  expect(targetRows.length, table).toBe(sourceRows.length);
  for (let index = 0; index < sourceRows.length; index++) expect(targetRows[index], `${table} row ${index}`).toEqual(sourceRows[index]);
  return sourceRows.length;
}

function startIn(pair: ReplicationPair, zone: string, replay: 'off' | 'require'): FerryProcess {
  return startFerry(pair.runArgs(['--batch-rows', '64', '--binlog-replay', replay]), { TZ: zone });
}

/**
 * Which path wrote the rows, from the progress line once everything committed: by SQL
 * (binlogReplay: off) none replayed; with require every one (docs/replay.md).
 */
async function expectPath(ferry: FerryProcess, replay: 'off' | 'require'): Promise<void> {
  const progress = await progressAfter(ferry, Date.now());
  expect(progress.rowsApplied).toBeGreaterThan(0);
  expect(progress).toEqual({ rowsApplied: progress.rowsApplied, rowsReplayed: replay === 'off' ? 0 : progress.rowsApplied, replayFallbacks: 0 });
}

describe('bin/ferry run: every MySQL type', () => {
  // Both ways of writing rows: SQL statements, and the source's row events replayed.
  for (const replay of ['off', 'require'] as const) it(`copies inserts, updates, key moves and deletes of every type exactly, whatever the time zones (binlogReplay: ${replay})`, async () => {
    const pair = await replicationPair();
    await pair.onBoth([ALL_TYPES, ...KEY_TABLES.map(keyTableSql)].join('; '));
    // Compare sessions read TIMESTAMP in the same zone on both sides.
    await pair.source.connection.query("SET time_zone = '+00:00'");
    await pair.target.connection.query("SET time_zone = '+00:00'");
    const writer = await sourceWriter(pair);

    let ferry = startIn(pair, 'Pacific/Kiritimati', replay);
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');

    // Phase 1, Ferry running at UTC+14: fixed rows, then changes to them, then random traffic.
    const columns = [...new Set(FIXED_ROWS.flatMap((row) => Object.keys(row)))];
    await transaction(writer, [
      `INSERT INTO all_types (${columns.join(', ')}) VALUES ${FIXED_ROWS.map((row) => `(${columns.map((c) => row[c as keyof typeof row] ?? 'NULL').join(', ')})`).join(', ')}`,
      "UPDATE all_types SET vc = 'updated 😀', d = d / 3, biu = biu - 1, ts = '2001-02-03 04:05:06.654321', i = i - 1 WHERE id = 1",
    ]);
    await transaction(writer, [
      // Every column to NULL, and an all-NULL row to values.
      `UPDATE all_types SET ${WRITABLE.map((c) => `${c} = NULL`).join(', ')} WHERE id = 0`,
      `UPDATE all_types SET ${WRITABLE.map((c) => `${c} = (SELECT x.${c} FROM (SELECT * FROM all_types WHERE id = 1) x)`).join(', ')} WHERE id = 3`,
      'DELETE FROM all_types WHERE id = 2',
      // The key moves; the row keeps its values.
      'UPDATE all_types SET id = 1000000 WHERE id = 4',
    ]);
    const ids = new Set([0, 1, 3, 1000000]);
    const nextId = { value: 10 };
    await randomAllTypesWorkload(writer, 1, 60, ids, nextId);
    for (const table of KEY_TABLES) await keyWorkload(writer, table, 0);
    await expectExactCopy(pair, 'all_types', ferry);
    for (const table of KEY_TABLES) await expectExactCopy(pair, table.name, ferry);
    await expectPath(ferry, replay);

    // Phase 2, Ferry stopped: a backlog it reads on restart.
    expect(await ferry.kill('SIGTERM')).toBe(0);
    await randomAllTypesWorkload(writer, 2, 40, ids, nextId);
    for (const table of KEY_TABLES) await keyWorkload(writer, table, 1);

    // Phase 3, Ferry running at UTC-11 on the backlog and on new traffic.
    ferry = startIn(pair, 'Pacific/Pago_Pago', replay);
    await randomAllTypesWorkload(writer, 3, 40, ids, nextId);
    const rows = await expectExactCopy(pair, 'all_types', ferry);
    expect(rows).toBe(ids.size);
    expect(rows).toBeGreaterThan(40);
    for (const table of KEY_TABLES) expect(await expectExactCopy(pair, table.name, ferry), table.name).toBe(3);
    expect(ferry.output()).toContain('"resumed":true');
    await expectPath(ferry, replay);
    expect(ferry.child.exitCode).toBeNull();
  });

  // zongji 0.9.0 (lib/common.js readMysqlValue, case TIME2) decodes a negative TIME whose
  // fraction is zero as its magnitude minus one second, then gives the second back without a
  // carry: '-684:06:00' arrives as '-684:05:64'. node/transform/values.ts carries it.
  it('copies negative TIME values that end in :00 (zongji misdecodes them, Ferry repairs them)', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE times (id INT PRIMARY KEY, tm TIME, tm6 TIME(6))');
    const ferry = startFerry(pair.runArgs(), { TZ: 'Pacific/Kiritimati' });
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    const writer = await sourceWriter(pair);
    await transaction(writer, [
      "INSERT INTO times VALUES (1, '-684:06:00', '-684:06:00.000000'), (2, '-00:01:00', '-01:00:00'), (3, '-838:00:00', '-12:00:00')",
    ]);
    await expectExactCopy(pair, 'times', ferry, 10_000);
  });
});
