import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../shared/logging.ts';
import { defaultStateDir, findFreeBase, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { sysbenchPrepare, type SysbenchOptions } from './sysbench-write-only.ts';
import { BENCH_SCHEMA, applyTimeTriggerSql, lagProbeSql } from './tables.ts';

/**
 * The WAN benchmark's own MariaDB servers, under .ferry/bench-wan: the source, then one copy
 * per path (a native replica, Ferry's targets), so every path starts from the same data and
 * the lag phase runs them all at once, each against its own server.
 */
export interface WanServers {
  state: ServicesState;
  source: MariaDbInstance;
  /** Path key to the server its copy lives on. */
  copies: Map<string, MariaDbInstance>;
}

export const wanStateDir = (): string => join(defaultStateDir(), '..', 'bench-wan');

/** Port of db1 is base + 2000: clear of the ordinary benchmark's (base + 1000) and developers' `services up`. */
const PORT_OFFSET = 2000;

export async function startWanServers(pathKeys: string[], log: Logger): Promise<WanServers> {
  const stateDir = wanStateDir();
  // A previous run killed half-way may have left servers behind: ours, by the state file.
  await servicesDown(stateDir, log, { purge: true });
  const count = pathKeys.length + 1;
  const base = await findFreeBase(Array.from({ length: count }, (_, i) => PORT_OFFSET + i));
  const state = await servicesUp({ stateDir, zkServers: 0, mariadb: count, mariadbPort: base + PORT_OFFSET }, log);
  const [source, ...rest] = state.mariadb as [MariaDbInstance, ...MariaDbInstance[]];
  return { state, source, copies: new Map(pathKeys.map((key, i) => [key, rest[i]!])) };
}

export async function stopWanServers(log: Logger): Promise<void> {
  await servicesDown(wanStateDir(), log, { purge: true });
}

/** Each path's own lag probe table: a path replicates only its own, so each is measured alone. */
export const lagTableOf = (pathKey: string): string => `lag_${pathKey}`;

/**
 * The same starting data everywhere: sysbench's prepared tables (the same seed gives the same
 * rows) and lag probe tables, every path's on the source and each path's own on its copy. On
 * the source they are logged before the backlog's start, so no path replays them; on the
 * copies they stay out of the binlog, and the probe table stamps its apply time (the native
 * replicas run triggers for replicated row events).
 */
export async function prepareWanTables(source: Connection, copies: Map<string, Connection>, nativeReplicas: string[], sysbench: SysbenchOptions): Promise<void> {
  const [annotate] = await source.query<RowDataPacket[]>('SELECT @@GLOBAL.binlog_annotate_row_events AS on_');
  // The figures are with annotations off: statement text would inflate the binlog.
  if (Number(annotate[0]?.on_) !== 0) throw new Error('the source logs binlog_annotate_row_events: the WAN benchmark measures with it OFF');
  await sysbenchPrepare(source, sysbench);
  await source.query([`CREATE DATABASE ${BENCH_SCHEMA}`, ...[...copies.keys()].map((key) => lagProbeSql(BENCH_SCHEMA, false, lagTableOf(key)))].join(';\n'));
  for (const [key, copy] of copies) {
    await copy.query('SET SESSION sql_log_bin = 0');
    await sysbenchPrepare(copy, sysbench);
    await copy.query(`CREATE DATABASE ${BENCH_SCHEMA}; ${lagProbeSql(BENCH_SCHEMA, true, lagTableOf(key))}; ${applyTimeTriggerSql(BENCH_SCHEMA, lagTableOf(key))}`);
    if (nativeReplicas.includes(key)) await copy.query("SET GLOBAL slave_run_triggers_for_rbr = 'YES'");
  }
}

/** The source's binlog end: the backlog's size is the difference of two. */
export async function binlogEnd(connection: Connection): Promise<{ file: string; pos: number }> {
  const [rows] = await connection.query<RowDataPacket[]>('SHOW MASTER STATUS');
  return { file: String(rows[0]?.File), pos: Number(rows[0]?.Position) };
}
