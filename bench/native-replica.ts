import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { MariaDbInstance } from '../services/index.ts';

export interface NativeCatchUp {
  seconds: number;
}

/**
 * Times MariaDB's own replication (I/O and SQL threads) catching up from `fromGtid` to
 * `toGtid` of the primary: the replica starts from the primary's position before the
 * backlog and is done when MASTER_GTID_WAIT returns.
 */
export async function nativeCatchUp(replica: Connection, primary: MariaDbInstance, user: { user: string; password: string }, fromGtid: string, toGtid: string, parallelThreads: number): Promise<NativeCatchUp> {
  await replica.query('STOP SLAVE').catch(() => undefined);
  await replica.query('RESET SLAVE ALL');
  await replica.query(`SET GLOBAL slave_parallel_threads = ${parallelThreads}`);
  await replica.query(`SET GLOBAL slave_parallel_mode = '${parallelThreads > 0 ? 'optimistic' : 'conservative'}'`);
  await replica.query('SET GLOBAL gtid_slave_pos = ?', [fromGtid]);
  await replica.query(`CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos`, [primary.host, primary.port, user.user, user.password]);
  const started = process.hrtime.bigint();
  await replica.query('START SLAVE');
  const [rows] = await replica.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 600) AS done', [toGtid]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await replica.query('STOP SLAVE');
  await replica.query('RESET SLAVE ALL');
  if (Number(rows[0]?.done) !== 0) throw new Error(`native replica did not reach ${toGtid}`);
  return { seconds };
}
