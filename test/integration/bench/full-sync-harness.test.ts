import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { timeDumpCopy } from '../../../bench/dump-copy.ts';
import { timeFerryInitialCopy } from '../../../bench/ferry-initial-copy.ts';
import { FULL_SYNC_TABLE, createEmptyTable, fillTable } from '../../../bench/full-sync-table.ts';
import { SteadyWriteLoad } from '../../../bench/steady-write-load.ts';
import { runFerry } from '../../support/cli.ts';
import { replicationPair, type TestDatabase } from '../../support/mariadb.ts';
import { checksum, dumpTable } from '../../support/tables.ts';
import { MIN_WAIT_MS } from '../../support/waits.ts';

/**
 * The full-sync benchmark's harness (bench/run-full-sync-bench.ts), on small tables of the
 * test servers: the dump baseline copies exactly, the write load changes rows but keeps the
 * count, and Ferry's initial copy is measured and identical, or reported as not measured
 * (never a crash) while bin/ferry run lacks --initial-copy.
 */

const ROWS = 2_000;
/** Copies the rows and streams nothing (test/support/fake-initial-copy.ts). */
const STAND_IN = { command: process.execPath, args: ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'support', 'fake-initial-copy.ts')] };

async function writers(db: TestDatabase, count: number): Promise<mysql.Connection[]> {
  const { app } = inject('services').users;
  return Promise.all(Array.from({ length: count }, async () => {
    const connection = await mysql.createConnection({ host: db.instance.host, port: db.instance.port, user: app.user, password: app.password });
    onTestFinished(() => connection.end());
    return connection;
  }));
}

describe('full-sync benchmark harness', () => {
  it('copies a table by mariadb-dump | mariadb into an empty database, identical', async () => {
    const pair = await replicationPair();
    await fillTable(pair.source.connection, ROWS, pair.schema);
    const { app } = inject('services').users;
    const copy = await timeDumpCopy({ db: pair.source.instance, credentials: app }, { db: pair.target.instance, credentials: app }, pair.schema, FULL_SYNC_TABLE, ROWS);
    expect(copy.seconds).toBeGreaterThan(0);
    expect(copy.rowsPerSecond).toBe(Math.round(ROWS / copy.seconds));
    expect(await dumpTable(pair.target.connection, pair.schema, FULL_SYNC_TABLE)).toEqual(await dumpTable(pair.source.connection, pair.schema, FULL_SYNC_TABLE));
  });

  it('runs a steady write load that changes rows everywhere and keeps the row count, until stopped', async () => {
    const pair = await replicationPair();
    await fillTable(pair.source.connection, ROWS, pair.schema);
    const before = await checksum(pair.source.connection, pair.schema, FULL_SYNC_TABLE);
    const load = new SteadyWriteLoad(await writers(pair.source, 2), `${pair.schema}.${FULL_SYNC_TABLE}`, ROWS, 400);
    await expect.poll(() => {
      load.check();
      return load.committed;
    }, { timeout: MIN_WAIT_MS, interval: 50 }).toBeGreaterThanOrEqual(20);
    const figures = await load.stop();
    expect(figures.transactions).toBeGreaterThanOrEqual(20);
    expect(figures.rowChanges).toBe(figures.transactions * 4);
    const [rows] = await pair.source.connection.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM \`${pair.schema}\`.${FULL_SYNC_TABLE}`);
    expect(rows[0]).toMatchObject({ n: ROWS, lo: 1, hi: ROWS });
    expect(await checksum(pair.source.connection, pair.schema, FULL_SYNC_TABLE)).not.toBe(before);
    // Stopped means stopped: nothing commits after stop() returned.
    const after = await checksum(pair.source.connection, pair.schema, FULL_SYNC_TABLE);
    expect(load.committed).toBe(figures.transactions);
    expect(await checksum(pair.source.connection, pair.schema, FULL_SYNC_TABLE)).toBe(after);
  });

  it("times Ferry's initial copy under a write load to identical tables, or reports it not measured while bin/ferry run has no --initial-copy", async () => {
    const pair = await replicationPair();
    await fillTable(pair.source.connection, ROWS, pair.schema);
    await createEmptyTable(pair.target.connection, pair.schema);
    const runHelp = await runFerry(['run', '--help']);
    const hasFlag = runHelp.stdout.includes('--initial-copy');
    const table = `${pair.schema}.${FULL_SYNC_TABLE}`;
    const copy = await timeFerryInitialCopy({
      source: pair.source.replicationUrl, target: pair.target.url, targetConnection: pair.target.connection,
      tables: table, table, rows: ROWS, name: pair.schema,
      load: new SteadyWriteLoad(await writers(pair.source, 2), table, ROWS, 200),
    });
    if (!hasFlag) {
      expect(copy).toMatchObject({ status: 'not_measured', seconds: null, rowsPerSecond: null, identical: null });
      expect(copy.reason).toContain('FERRY_ERR_CLI_USAGE');
      return;
    }
    expect(copy, copy.reason ?? '').toMatchObject({ status: 'measured', verifyExit: 0, identical: true });
    expect(copy.load!.transactions).toBeGreaterThan(0);
    expect(await dumpTable(pair.target.connection, pair.schema, FULL_SYNC_TABLE)).toEqual(await dumpTable(pair.source.connection, pair.schema, FULL_SYNC_TABLE));
  });

  it('measures a copy that ends identical: seconds, rows/s, verify exit 0 (a stand-in for run --initial-copy)', async () => {
    const pair = await replicationPair();
    await fillTable(pair.source.connection, ROWS, pair.schema);
    await createEmptyTable(pair.target.connection, pair.schema);
    const table = `${pair.schema}.${FULL_SYNC_TABLE}`;
    const copy = await timeFerryInitialCopy({ source: pair.source.replicationUrl, target: pair.target.url, targetConnection: pair.target.connection, tables: table, table, rows: ROWS, name: pair.schema, launcher: STAND_IN });
    expect(copy, copy.reason ?? '').toMatchObject({ status: 'measured', verifyExit: 0, identical: true, load: null, secondsToIdentical: null, reason: null });
    expect(copy.rowsPerSecond).toBe(Math.round(ROWS / copy.seconds!));
    expect(copy.peakRssMb).toBeGreaterThan(0);
  });

  it('reports a copy that misses the writes made meanwhile as failed, not identical, and stops the load (a stand-in that streams nothing)', async () => {
    const pair = await replicationPair();
    await fillTable(pair.source.connection, ROWS, pair.schema);
    await createEmptyTable(pair.target.connection, pair.schema);
    const table = `${pair.schema}.${FULL_SYNC_TABLE}`;
    const load = new SteadyWriteLoad(await writers(pair.source, 2), table, ROWS, 400);
    const stale = { ...STAND_IN, args: [...STAND_IN.args, '--stale'] };
    const copy = await timeFerryInitialCopy({ source: pair.source.replicationUrl, target: pair.target.url, targetConnection: pair.target.connection, tables: table, table, rows: ROWS, name: pair.schema, load, launcher: stale, identicalLimitMs: 0 });
    expect(copy).toMatchObject({ status: 'failed', verifyExit: 1, identical: false, secondsToIdentical: null });
    expect(copy.load!.transactions).toBeGreaterThan(0);
    expect(load.committed).toBe(copy.load!.transactions);
  });
});
