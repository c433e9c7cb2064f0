import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { MemberHealth, ReplicaHealth } from '../../shared/cluster/health-model.ts';
import type { MysqlEndpoint } from '../../shared/config/mysql-url.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { connectEndpoint, settlePreferred, sslOptions } from '../pipeline/mysql-tls.ts';

/** Names for the error a failed probe reports. */
export interface ProbeTarget {
  groupKey: string;
  member: 'master' | 'standby';
}

/** @default 3000: a health check must not hang on a blackholed server. */
export const PROBE_TIMEOUT_MS = 3_000;

/**
 * One health measurement of one database server: connect, SELECT 1, then read_only, the GTID
 * position and the replica status. Never throws: an unreachable server (or a password that
 * cannot be opened, a TLS file missing) is `reachable: false` with the error's code, and a part
 * the user may not read (SHOW SLAVE STATUS without the privilege) leaves its fields null with
 * the error kept.
 */
export async function probeMember(address: { host: string; port: number }, open: () => MysqlEndpoint, target: ProbeTarget, log: Logger, timeoutMs = PROBE_TIMEOUT_MS): Promise<MemberHealth> {
  const { host, port } = address;
  let connection: Connection | undefined;
  try {
    // Opened here, inside the try: a password that cannot be opened is this member's error.
    const resolved = open();
    const settled = await settlePreferred(connectEndpoint(resolved, 'source'), 'source', log);
    connection = await mysql.createConnection({ host: settled.host, port: settled.port, user: settled.user, password: settled.password, connectTimeout: timeoutMs, ...sslOptions(settled) });
    const query = async (sql: string) => (await connection!.query<RowDataPacket[]>({ sql, timeout: timeoutMs }))[0];
    await query('SELECT 1');
    return await measure(resolved, query, target);
  } catch (error) {
    return { host, port, reachable: false, flavor: null, version: null, readOnly: null, replica: null, gtidPosition: null, gtidBinlogPos: null, error: asProbeError(error, target, `${host}:${port}`) };
  } finally {
    // A connection stuck on a dead server must not hold the prober: destroy, not end.
    connection?.destroy();
  }
}

type Query = (sql: string) => Promise<RowDataPacket[]>;

async function measure(endpoint: MysqlEndpoint, query: Query, target: ProbeTarget): Promise<MemberHealth> {
  const [about] = await query('SELECT VERSION() AS version, @@GLOBAL.read_only AS readOnly');
  const version = String(about?.version ?? '');
  const mariadb = /mariadb/i.test(version);
  let gtidPosition: string | null = null;
  let gtidBinlogPos: string | null = null;
  if (mariadb) {
    const [gtid] = await query('SELECT @@GLOBAL.gtid_current_pos AS current, @@GLOBAL.gtid_binlog_pos AS binlog');
    gtidPosition = String(gtid?.current ?? '');
    gtidBinlogPos = String(gtid?.binlog ?? '');
  } else {
    const [gtid] = await query('SELECT @@GLOBAL.gtid_executed AS executed');
    gtidPosition = String(gtid?.executed ?? '').replace(/\s/g, '');
  }
  const health: MemberHealth = {
    host: endpoint.host, port: endpoint.port, reachable: true,
    flavor: mariadb ? 'MariaDB' : 'MySQL', version, readOnly: Number(about?.readOnly) === 1,
    replica: null, gtidPosition, gtidBinlogPos,
  };
  try {
    health.replica = await replicaStatus(query, mariadb);
  } catch (error) {
    health.error = asProbeError(error, target, `${endpoint.host}:${endpoint.port}`, 'replica status: ');
  }
  return health;
}

/** SHOW SLAVE STATUS (MySQL 8.4 knows only SHOW REPLICA STATUS); null when no replication is configured. */
async function replicaStatus(query: Query, mariadb: boolean): Promise<ReplicaHealth | null> {
  let rows: RowDataPacket[];
  try {
    rows = await query('SHOW SLAVE STATUS');
  } catch (error) {
    if (mariadb) throw error;
    rows = await query('SHOW REPLICA STATUS');
  }
  const row = rows[0];
  if (row === undefined) return null;
  // Status columns are text or numbers; MySQL 8 renamed Slave/Master to Replica/Source.
  const pick = (...names: string[]): string | number | null => {
    const value = names.map((name) => row[name] as unknown).find((v) => v !== undefined);
    return typeof value === 'string' || typeof value === 'number' ? value : null;
  };
  const yes = (value: string | number | null) => (value === null ? null : String(value).toLowerCase() === 'yes');
  const numberOrNull = (value: string | number | null) => (value === null || value === '' ? null : Number(value));
  const ioError = String(pick('Last_IO_Error') ?? '');
  const sqlError = String(pick('Last_SQL_Error') ?? '');
  let gtidSlavePos: string | null = null;
  if (mariadb) {
    const [slave] = await query('SELECT @@GLOBAL.gtid_slave_pos AS pos');
    gtidSlavePos = String(slave?.pos ?? '');
  }
  return {
    masterHost: pick('Master_Host', 'Source_Host') === null ? null : String(pick('Master_Host', 'Source_Host')),
    masterPort: numberOrNull(pick('Master_Port', 'Source_Port')),
    ioRunning: yes(pick('Slave_IO_Running', 'Replica_IO_Running')),
    sqlRunning: yes(pick('Slave_SQL_Running', 'Replica_SQL_Running')),
    secondsBehindMaster: numberOrNull(pick('Seconds_Behind_Master', 'Seconds_Behind_Source')),
    gtidSlavePos,
    lastError: [ioError, sqlError].filter(Boolean).join('; '),
  };
}

function asProbeError(error: unknown, target: ProbeTarget, endpoint: string, prefix = ''): { code: string; message: string } {
  // Errors Ferry names itself (a sealed password without a key, a TLS file) keep their code.
  if (isFerryError(error)) return { code: error.code, message: `${prefix}${error.message}` };
  const wrapped = new FerryError('FERRY_ERR_DATASOURCE_UNREACHABLE', { member: target.member, endpoint, groupKey: target.groupKey, detail: `${prefix}${describeError(error)}` }, { cause: error });
  return { code: wrapped.code, message: wrapped.message };
}
