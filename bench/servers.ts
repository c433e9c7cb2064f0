import { join } from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import type { Logger } from '../shared/logging.ts';
import { defaultStateDir, findFreeBase, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { OLTP_TABLES } from './backlogs.ts';
import { sysbenchPrepare, sysbenchTableNames } from './sysbench-write-only.ts';
import { BENCH_SCHEMA, VERIFIED_TABLES, lagProbeSql, narrowTableSql, wideTableSql } from './tables.ts';
import type { VerifiedTables } from './verify.ts';

/**
 * The benchmark's own MariaDB servers, under .ferry/bench: the primary; a native replica run
 * single-threaded (and kept replicating for the lag phase); a second native replica for the
 * 4-thread run, so both native runs start from the same data; Ferry's target.
 */
export interface BenchServers {
  state: ServicesState;
  primary: MariaDbInstance;
  nativeSingle: MariaDbInstance;
  nativeParallel: MariaDbInstance;
  ferryTarget: MariaDbInstance;
}

export const benchStateDir = (): string => join(defaultStateDir(), '..', 'bench');

/** Port of db1 is base + 1000; a random base keeps clear of developers' `services up`. */
const PORT_OFFSET = 1000;
const INSTANCES = 4;

export async function startBenchServers(log: Logger): Promise<BenchServers> {
  const stateDir = benchStateDir();
  // A previous run killed half-way may have left servers behind: ours, by the state file.
  await servicesDown(stateDir, log, { purge: true });
  const base = await findFreeBase(Array.from({ length: INSTANCES }, (_, i) => PORT_OFFSET + i));
  const state = await servicesUp({ stateDir, zkServers: 0, mariadb: INSTANCES, mariadbPort: base + PORT_OFFSET }, log);
  const [primary, nativeSingle, nativeParallel, ferryTarget] = state.mariadb as [MariaDbInstance, MariaDbInstance, MariaDbInstance, MariaDbInstance];
  return { state, primary, nativeSingle, nativeParallel, ferryTarget };
}

export async function stopBenchServers(log: Logger): Promise<void> {
  await servicesDown(benchStateDir(), log, { purge: true });
}

/** A connection as the application user; multipleStatements for the backlog writer's batches. */
export async function connect(servers: BenchServers, db: MariaDbInstance): Promise<Connection> {
  const { user, password } = servers.state.users.app;
  return mysql.createConnection({ host: db.host, port: db.port, user, password, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true });
}

/** What every copy must hold after a catch-up: the narrow, wide and sysbench tables. */
export const BENCH_VERIFIED: VerifiedTables = { schema: BENCH_SCHEMA, tables: [...VERIFIED_TABLES, ...sysbenchTableNames(OLTP_TABLES)] };

/**
 * The benchmark schema as the backlog starts from: narrow, wide and lag_probe empty, the
 * sysbench tables prepared (the same seed gives the same rows everywhere). No triggers: the
 * lag is measured by GTID positions (bench/visibility-lag.ts), and a trigger on Ferry's
 * target would keep it off the replay path (docs/replay.md).
 */
async function createTables(connection: Connection): Promise<void> {
  await connection.query([`CREATE DATABASE ${BENCH_SCHEMA}`, narrowTableSql(BENCH_SCHEMA), wideTableSql(BENCH_SCHEMA), lagProbeSql(BENCH_SCHEMA, false)].join(';\n'));
  await sysbenchPrepare(connection, { ...OLTP_TABLES, transactions: 0 });
}

/** Ferry's system schema on the target (the pipeline default): its checkpoints. */
const FERRY_SYSTEM_SCHEMA = '_ferry';

/**
 * A copy's benchmark tables (re)built outside its binlog, as they were when the backlog
 * started. Ferry's system schema is left alone: on servers shared with other work (the
 * integration tests run in parallel on the same two servers) it holds their checkpoints.
 */
export async function rebuildBenchTables(copy: Connection): Promise<void> {
  await copy.query(`SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS ${BENCH_SCHEMA}`);
  try {
    await createTables(copy);
  } finally {
    await copy.query('SET SESSION sql_log_bin = 1');
  }
}

/**
 * A copy of the benchmark's own servers as it was when the backlog started, and no Ferry
 * checkpoint: for a replica before replication starts, and for a fresh target between two
 * runs. Drops Ferry's whole system schema: only for servers the benchmark started itself.
 */
export async function resetBenchCopy(copy: Connection): Promise<void> {
  await copy.query(`SET SESSION sql_log_bin = 0; DROP DATABASE IF EXISTS ${FERRY_SYSTEM_SCHEMA}; SET SESSION sql_log_bin = 1`);
  await rebuildBenchTables(copy);
}

/**
 * The same tables everywhere. On the primary they are logged before the backlog's start
 * position, so no path replays them; elsewhere they stay out of the binlog.
 */
export async function createBenchTables(primary: Connection, copies: Connection[], prepareCopy: (copy: Connection) => Promise<void> = resetBenchCopy): Promise<void> {
  await createTables(primary);
  for (const copy of copies) await prepareCopy(copy);
}
