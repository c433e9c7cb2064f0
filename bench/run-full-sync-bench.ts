import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../shared/logging.ts';
import { timeDumpCopy, type DumpCopy } from './dump-copy.ts';
import { timeFerryInitialCopy, type FerryCopy } from './ferry-initial-copy.ts';
import { fullSyncReportLines } from './full-sync-report.ts';
import { fullSyncResultsJson } from './full-sync-results.ts';
import { connectTo, startFullSyncServers, stopFullSyncServers, urlOf } from './full-sync-servers.ts';
import { FULL_SYNC_QUALIFIED, FULL_SYNC_SCHEMA, FULL_SYNC_TABLE, createEmptyDatabase, createEmptyTable, fillTable } from './full-sync-table.ts';
import { writeLatest } from './results.ts';
import { SteadyWriteLoad } from './steady-write-load.ts';
import { assertSameContents } from './verify.ts';
import { measureVerifySpeed, type VerifySpeed } from './verify-speed.ts';

export interface FullSyncBenchOptions {
  quick: boolean;
  log: Logger;
  out: (line: string) => void;
}

/** The table size; --quick a tenth of it. */
const ROWS = 1_000_000;
const QUICK_ROWS = 100_000;
/** The write load during the copy under load: row changes a second asked of the source (sysbench-shaped transactions of 4). */
const LOAD_ROWS_PER_S = 1_000;
const LOAD_CONNECTIONS = 2;

/** Everything a full-sync run measured, before it becomes bench/results/full-sync-latest.json. */
export interface FullSyncMeasurements {
  quick: boolean;
  rows: number;
  mariadbVersion: string;
  durationSeconds: number;
  fillSeconds: number;
  verify: VerifySpeed;
  dump: DumpCopy;
  ferryIdle: FerryCopy;
  ferryUnderLoad: FerryCopy;
  loadRowsPerSecond: number;
}

/**
 * The full-sync benchmark (issue 15): one table of narrow rows, the same on a source and a
 * target; bin/ferry verify timed against CHECKSUM TABLE on both servers; then copies into an
 * empty target: mariadb-dump | mariadb, bin/ferry run --initial-copy on an idle source, and
 * the same under a steady write load, which must end identical. The servers are stopped and
 * purged whatever happens.
 */
export async function runFullSyncBench({ quick, log, out }: FullSyncBenchOptions): Promise<Record<string, unknown>> {
  const startedAt = performance.now();
  const step = (line: string): void => out(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const rows = quick ? QUICK_ROWS : ROWS;
  const connections: Connection[] = [];
  step('starting 2 MariaDB servers under .ferry/bench-full-sync (source, target)');
  const servers = await startFullSyncServers(log);
  try {
    const open = async (db: typeof servers.source): Promise<Connection> => {
      const connection = await connectTo(servers, db);
      connections.push(connection);
      return connection;
    };
    const source = await open(servers.source);
    const loaders = await Promise.all(Array.from({ length: LOAD_CONNECTIONS }, () => open(servers.source)));
    const target = await open(servers.target);
    const urls = { source: urlOf(servers, servers.source, 'replication'), target: urlOf(servers, servers.target, 'app') };
    const app = servers.state.users.app;

    step(`filling ${FULL_SYNC_QUALIFIED} with ${rows.toLocaleString('en-US')} rows on both servers (the target's outside its binlog)`);
    const fillStart = performance.now();
    await target.query('SET SESSION sql_log_bin = 0');
    await Promise.all([fillTable(source, rows), fillTable(target, rows)]);
    await target.query('SET SESSION sql_log_bin = 1');
    const fillSeconds = (performance.now() - fillStart) / 1000;

    step('verify: bin/ferry verify against CHECKSUM TABLE on both servers (identical tables)');
    const verify = await measureVerifySpeed(source, target, urls, FULL_SYNC_QUALIFIED, rows);

    step('copy: mariadb-dump --single-transaction | mariadb into an empty database');
    await createEmptyDatabase(target);
    const dump = await timeDumpCopy({ db: servers.source, credentials: app }, { db: servers.target, credentials: app }, FULL_SYNC_SCHEMA, FULL_SYNC_TABLE, rows);
    await assertSameContents(source, target, 'mariadb-dump | mariadb', { schema: FULL_SYNC_SCHEMA, tables: [FULL_SYNC_TABLE] });

    const ferryCopy = async (name: string, load?: SteadyWriteLoad): Promise<FerryCopy> => {
      await createEmptyTable(target);
      await target.query('DROP DATABASE IF EXISTS _ferry');
      return timeFerryInitialCopy({ source: urls.source, target: urls.target, targetConnection: target, tables: FULL_SYNC_QUALIFIED, table: FULL_SYNC_QUALIFIED, rows, name, ...(load ? { load } : {}) });
    };
    step('copy: bin/ferry run --initial-copy into an empty table, source idle');
    const ferryIdle = await ferryCopy('fullsync-idle');
    if (ferryIdle.status !== 'measured') step(`  ${ferryIdle.status}: ${ferryIdle.reason}`);

    step(`copy: bin/ferry run --initial-copy under a steady load of ${LOAD_ROWS_PER_S} row changes/s on the source`);
    const ferryUnderLoad = await ferryCopy('fullsync-load', new SteadyWriteLoad(loaders, FULL_SYNC_QUALIFIED, rows, LOAD_ROWS_PER_S));
    if (ferryUnderLoad.status !== 'measured') step(`  ${ferryUnderLoad.status}: ${ferryUnderLoad.reason}`);

    const [version] = await source.query<RowDataPacket[]>('SELECT VERSION() AS v');
    const measurements: FullSyncMeasurements = {
      quick, rows, mariadbVersion: String(version[0]?.v), durationSeconds: (performance.now() - startedAt) / 1000,
      fillSeconds, verify, dump, ferryIdle, ferryUnderLoad, loadRowsPerSecond: LOAD_ROWS_PER_S,
    };
    const json = fullSyncResultsJson(measurements);
    for (const line of fullSyncReportLines(measurements)) out(line);
    out(`Results: ${writeLatest(json, 'full-sync-latest.json')}`);
    return json;
  } finally {
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
    await stopFullSyncServers(log);
  }
}
