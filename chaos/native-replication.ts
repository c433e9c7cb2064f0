import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { MariaDbInstance, ServicesState } from '../services/index.ts';
import { FerryError } from '../shared/errors/index.ts';

/**
 * The DBA's side of the source group: MariaDB's own replication between its two servers, by
 * GTID. Every server of the services code has its own server_id and gtid_domain_id and logs
 * what it replicates (--log-slave-updates), so either one can be the master and Ferry can read
 * on from either binlog by GTID.
 */

/**
 * Reconnects within a second of its master coming back: the default (60 s) would leave the
 * standby a minute behind after a `source-kill`, and a switch waiting on it that long.
 */
export const CONNECT_RETRY_S = 1;

/** A connection as the suite's app user, which may run CHANGE MASTER and set read_only. */
export function adminConnection(db: MariaDbInstance, users: ServicesState['users']): Promise<Connection> {
  return mysql.createConnection({ host: db.host, port: db.port, user: users.app.user, password: users.app.password, connectTimeout: 5_000 });
}

/**
 * Makes `replica` replicate from `master` by GTID from its applied position (gtid_slave_pos),
 * with the replication user, and starts it.
 */
export async function replicateFrom(replica: Connection, master: MariaDbInstance, users: ServicesState['users']): Promise<void> {
  await replica.query(
    `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = ${CONNECT_RETRY_S}`,
    [master.host, master.port, users.replication.user, users.replication.password],
  );
  await replica.query('START SLAVE');
}

/** The master's binlog position (every transaction it logged, its own and those it replicated). */
export async function binlogPosition(master: Connection): Promise<string> {
  const [[row]] = await master.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
  return String(row?.gtid ?? '');
}

/** Waits (MASTER_GTID_WAIT) until `replica` has applied `position`; throws after `seconds`. */
export async function waitApplied(replica: Connection, position: string, seconds: number, what: string): Promise<void> {
  const [[row]] = await replica.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, ?) AS result', [position, seconds]);
  const result = Number(row?.result);
  if (result !== 0) {
    const [status] = await replica.query<RowDataPacket[]>('SHOW SLAVE STATUS').catch(() => [[]] as unknown as [RowDataPacket[]]);
    const s = status[0];
    const why = s === undefined ? 'no replication configured' : `io ${String(s.Slave_IO_Running)}, sql ${String(s.Slave_SQL_Running)}, ${String(s.Last_IO_Error || s.Last_SQL_Error || 'no error')}`;
    throw new FerryError('FERRY_ERR_CHAOS_SWITCH', { step: `wait for ${what} to apply ${position}`, detail: `MASTER_GTID_WAIT returned ${String(row?.result)} after ${seconds} s (${why})` });
  }
}

/** The standby becomes a master: replication stopped and forgotten, writable. */
export async function promote(standby: Connection): Promise<void> {
  await standby.query('STOP SLAVE');
  await standby.query('RESET SLAVE ALL');
  await standby.query('SET GLOBAL read_only = 0');
}

/**
 * The old master (read-only already) becomes the new master's replica. Its applied position
 * is first set to all it logged: with MASTER_USE_GTID = current_pos it would start from there
 * too, but its gtid_slave_pos would lack its own domain, and MASTER_GTID_WAIT, which waits on
 * gtid_slave_pos, would never see it catch up with a position naming that domain.
 */
export async function demote(oldMaster: Connection, newMaster: MariaDbInstance, users: ServicesState['users']): Promise<void> {
  await oldMaster.query('SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos');
  await replicateFrom(oldMaster, newMaster, users);
}

/** How many binlog readers (replicas, Ferry's reader) a server is sending its binlog to. */
export async function binlogReaders(db: Connection): Promise<number> {
  const [[row]] = await db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
  return Number(row?.n);
}
