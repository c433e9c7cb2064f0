import mysql from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { measureApplyLimits } from '../../../bench/apply-limit.ts';
import { writeBacklogs, type BacklogSizes } from '../../../bench/backlogs.ts';
import { captureBacklogEvents } from '../../../bench/replay-capture.ts';
import { measureReplayLimit } from '../../../bench/replay-limit.ts';
import { totalRowChanges } from '../../../bench/segment-clock.ts';
import { BENCH_VERIFIED, createBenchTables, rebuildBenchTables } from '../../../bench/servers.ts';
import { BENCH_SCHEMA, LAG_TABLE, lagProbeSql } from '../../../bench/tables.ts';
import { assertSameContents } from '../../../bench/verify.ts';
import { measureVisibilityLag, type PositionObserver } from '../../../bench/visibility-lag.ts';
import { testDatabase, type TestDatabase } from '../../support/mariadb.ts';

/**
 * `npm run bench`'s pieces for issue 17 on the test servers, at small sizes: the OLTP
 * scenario's transactions, the backlog's row events captured and replayed in BINLOG
 * statements, the prepared-statement limit, and lag measured from polled GTID positions.
 * The benchmark's schema is fixed (`bench`): no other test uses it.
 */

const SIZES: BacklogSizes = { narrowInserts: 600, narrowUpdates: 300, singleRowTransactions: 30, wideInserts: 200, wideUpdates: 100, oltpTransactions: 40 };

async function connections(db: TestDatabase, count: number): Promise<mysql.Connection[]> {
  const { app } = inject('services').users;
  return Promise.all(
    Array.from({ length: count }, async () => {
      const connection = await mysql.createConnection({ host: db.instance.host, port: db.instance.port, user: app.user, password: app.password, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true });
      onTestFinished(() => connection.end());
      return connection;
    }),
  );
}

/** The benchmark schema dropped now and when the test finishes, outside the binlog (no pipeline reads it). */
async function withoutBenchSchema(...dbs: TestDatabase[]): Promise<void> {
  const drop = async (db: TestDatabase): Promise<void> => {
    const [connection] = await connections(db, 1);
    await connection!.query(`SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS ${BENCH_SCHEMA}; DROP DATABASE IF EXISTS bench_raw`);
  };
  for (const db of dbs) await drop(db);
  onTestFinished(async () => {
    for (const db of dbs) await drop(db);
  });
}

describe('benchmark harness for issue 17', () => {
  it('writes the OLTP scenario as 4-row transactions each alone in the binlog, and the backlog replayed in BINLOG statements gives the same tables', async () => {
    const source = await testDatabase('db1');
    const target = await testDatabase('db2');
    await withoutBenchSchema(source, target);
    // Not resetBenchCopy: it drops _ferry, the checkpoints of the tests running beside this one.
    await target.connection.query('CREATE DATABASE IF NOT EXISTS _ferry');
    await createBenchTables(source.connection, [target.connection], rebuildBenchTables);
    const [systemSchemas] = await target.connection.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '_ferry'");
    expect(Number(systemSchemas[0]!.n)).toBe(1);
    const scenarios = await writeBacklogs(await connections(source, 4), SIZES, () => undefined);
    const oltp = scenarios.findIndex((scenario) => scenario.key === 'oltp_write_only');
    expect(scenarios[oltp]).toMatchObject({ rowChanges: 160, transactions: 40 });

    const { replication } = inject('services').users;
    const captured = await captureBacklogEvents({ host: source.instance.host, port: source.instance.port, ...replication }, BENCH_SCHEMA, scenarios);
    // Each sysbench transaction is one transaction of the binlog: 4 row changes, nothing else in it.
    expect(captured.transactions.filter((transaction) => transaction.scenario === oltp).map((transaction) => transaction.rows)).toEqual(Array.from({ length: 40 }, () => 4));

    const replay = await measureReplayLimit(target.connection, scenarios, captured, {});
    expect(replay.rows).toBe(totalRowChanges(scenarios));
    expect(Object.keys(replay.byScenario)).toEqual(scenarios.map((scenario) => scenario.key));
    await assertSameContents(source.connection, target.connection, 'BINLOG replay', BENCH_VERIFIED);
  });

  it('measures the mysql2 limits, prepared statements in the binary protocol among them', async () => {
    const target = await testDatabase('db2');
    await withoutBenchSchema(target);
    const limits = await measureApplyLimits(await connections(target, 4), 2_000, 200, {});
    expect(limits.narrowPreparedOneConnection).toBeGreaterThan(0);
    expect(limits.cpu.narrowPreparedOneConnection.rows).toBe(2_000);
  });

  it("measures lag from a copy's polled GTID position: each probe from its commit to the first poll that includes it", async () => {
    const source = await testDatabase('db1');
    await withoutBenchSchema(source);
    await source.connection.query(`CREATE DATABASE ${BENCH_SCHEMA}; ${lagProbeSql(BENCH_SCHEMA, false)}`);
    const position = async (connection: mysql.Connection): Promise<string> => {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS g');
      return String(rows[0]?.g);
    };
    // A copy that shows the primary's position as it was 400 ms before: every probe is seen late.
    const history: Array<{ at: number; position: string }> = [];
    const delayed = async (connection: mysql.Connection): Promise<string | undefined> => {
      history.push({ at: performance.now(), position: await position(connection) });
      return history.findLast((sample) => sample.at <= performance.now() - 400)?.position;
    };
    const [direct, late] = await connections(source, 2);
    const observers: PositionObserver[] = [
      { name: 'direct', connection: direct!, position },
      { name: 'late', connection: late!, position: delayed },
    ];
    const figures = await measureVisibilityLag(await connections(source, 2), observers, 1_000_000, 200, 1);
    for (const name of ['direct', 'late']) {
      expect(figures[name]).toMatchObject({ rows: 200, probes: 20 });
      expect(figures[name]!.p50).toBeLessThanOrEqual(figures[name]!.p99);
      expect(figures[name]!.p99).toBeLessThanOrEqual(figures[name]!.max);
      expect(figures[name]!.poll_ms).toBeGreaterThan(0);
    }
    // At least 400 ms after the poll that saw it, less the time the COMMIT's reply took to come back.
    expect(figures.late!.p50).toBeGreaterThanOrEqual(200);
    const [rows] = await source.connection.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${BENCH_SCHEMA}.${LAG_TABLE}`);
    expect(Number(rows[0]?.n)).toBe(200);

    // A copy that never applies them fails the measurement instead of reporting a figure.
    const stuck = await position(direct!);
    await expect(measureVisibilityLag(await connections(source, 1), [{ name: 'stuck', connection: direct!, position: () => Promise.resolve(stuck) }], 2_000_000, 100, 1, 2_000)).rejects.toThrow(/stuck: did not apply the lag probes/);
  });
});
