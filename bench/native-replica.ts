import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { MariaDbInstance, ServicesState } from '../services/index.ts';
import type { WrittenScenario } from './backlogs.ts';
import { CpuSnapshot, type CpuSubject, type CpuUse } from './cpu-usage.ts';
import { catchUpResult, totalRowChanges, type CatchUpResult } from './segment-clock.ts';

const WAIT_LIMIT_MS = 600_000;

export interface NativeCatchUp extends CatchUpResult {
  /** CPU of the processes in `cpuOf` (the primary serving the binlog, the replica), over the same interval. */
  cpu: CpuUse;
}

/**
 * Times MariaDB's own replication (I/O and SQL threads) catching up the whole backlog: the
 * replica starts at the primary's position before the first scenario, and each scenario ends
 * when MASTER_GTID_WAIT sees its last GTID applied. `parallelThreads` 0 is the single SQL
 * thread; above 0, optimistic parallel apply. Replication keeps running afterwards (the lag
 * phase uses it); stopReplication() ends it.
 */
export async function nativeCatchUp(replica: Connection, primary: MariaDbInstance, user: ServicesState['users']['replication'], scenarios: WrittenScenario[], parallelThreads: number, cpuOf: Record<string, CpuSubject>): Promise<NativeCatchUp> {
  await stopReplication(replica);
  await replica.query(`SET GLOBAL slave_parallel_threads = ${parallelThreads}`);
  await replica.query(`SET GLOBAL slave_parallel_mode = '${parallelThreads > 0 ? 'optimistic' : 'conservative'}'`);
  await replica.query('SET GLOBAL gtid_slave_pos = ?', [scenarios[0]!.fromGtid]);
  await replica.query(`CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos`, [primary.host, primary.port, user.user, user.password]);
  const cpu = new CpuSnapshot(cpuOf);
  const startedAt = performance.now();
  await replica.query('START SLAVE');
  const reachedAt: number[] = [];
  for (const scenario of scenarios) {
    await waitApplied(replica, scenario.toGtid);
    reachedAt.push(performance.now());
  }
  return { ...catchUpResult(scenarios, startedAt, reachedAt), cpu: cpu.since(totalRowChanges(scenarios)) };
}

/**
 * Waits in 1 s steps (MASTER_GTID_WAIT returns the moment the GTID is applied, so the step
 * costs no precision) and checks between steps that replication has not stopped on an error.
 */
export async function waitApplied(replica: Connection, gtid: string, limitMs = WAIT_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const [rows] = await replica.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 1) AS result', [gtid]);
    if (Number(rows[0]?.result) === 0) return;
    const [status] = await replica.query<RowDataPacket[]>('SHOW SLAVE STATUS');
    const error = status[0] ? String(status[0].Last_SQL_Error || status[0].Last_IO_Error || '') : 'replication is not configured';
    if (error) throw new Error(`native replica stopped before ${gtid}: ${error}`);
    if (Date.now() > deadline) throw new Error(`native replica did not reach ${gtid} within ${limitMs / 1000} s`);
  }
}

export async function stopReplication(replica: Connection): Promise<void> {
  await replica.query('STOP SLAVE').catch(() => undefined);
  await replica.query('RESET SLAVE ALL');
}
