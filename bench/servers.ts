import { join } from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import type { Logger } from '../shared/logging.ts';
import { defaultStateDir, findFreeBase, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { BENCH_SCHEMA, applyTimeTriggerSql, lagProbeSql, narrowTableSql, wideTableSql } from './tables.ts';

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

/**
 * The same empty tables everywhere. On the primary they are logged before the backlog's
 * start position, so no path replays them; elsewhere they stay out of the binlog. The lag
 * observers (native replica, Ferry target) stamp apply times; the native one runs triggers
 * for replicated row events (slave_run_triggers_for_rbr).
 */
export async function createBenchTables(primary: Connection, replicas: Connection[], lagObservers: Connection[], nativeLagObserver: Connection): Promise<void> {
  const tables = (onReplica: boolean): string[] => [`CREATE DATABASE ${BENCH_SCHEMA}`, narrowTableSql(BENCH_SCHEMA), wideTableSql(BENCH_SCHEMA), lagProbeSql(BENCH_SCHEMA, onReplica)];
  await primary.query(tables(false).join(';\n'));
  for (const replica of replicas) await replica.query(['SET SESSION sql_log_bin = 0', ...tables(true)].join(';\n'));
  for (const observer of lagObservers) await observer.query(`SET SESSION sql_log_bin = 0; ${applyTimeTriggerSql(BENCH_SCHEMA)}`);
  await nativeLagObserver.query("SET GLOBAL slave_run_triggers_for_rbr = 'YES'");
}
