import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { SourcePosition } from '../../shared/model/change.ts';
import { BINLOG_STATUS_SQL, executedGtidSql, flavorOfVersion, type Flavor } from '../../shared/mysql/flavor.ts';
import { classifySourceError } from '../select/source-errors.ts';
import { sslOptions, type ConnectEndpoint } from './mysql-tls.ts';

/** A plain SQL session on the source: flavor, binlog position, prechecks. */
export interface SourceSession {
  connection: Connection;
  flavor: Flavor;
  version: string;
}

/** `opened` gets the connection as soon as it exists, so that an owner can cut a query that hangs on it. */
export async function openSourceSession(endpoint: ConnectEndpoint, opened?: (connection: Connection) => void): Promise<SourceSession> {
  try {
    const connection = await mysql.createConnection({ host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, connectTimeout: 10_000, charset: 'utf8mb4', ...sslOptions(endpoint) });
    opened?.(connection);
    const [rows] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS version');
    const version = String(rows[0]?.version ?? '');
    return { connection, flavor: flavorOfVersion(version), version };
  } catch (error) {
    throw classifySourceError(error, endpoint);
  }
}

/**
 * The source's binlog end: where a new pipeline starts. With GTIDs (always on MariaDB) the
 * executed set alone is the exact start; file and offset come along for display.
 */
export async function currentSourcePosition(session: SourceSession): Promise<SourcePosition> {
  const [gtidRows] = await session.connection.query<RowDataPacket[]>(executedGtidSql(session.flavor));
  const [statusRows] = await session.connection.query<RowDataPacket[]>(BINLOG_STATUS_SQL);
  const status = statusRows[0];
  const position: SourcePosition = { file: String(status?.File ?? ''), pos: Number(status?.Position ?? 4) };
  const gtid = String(gtidRows[0]?.gtid ?? '').replace(/\s/g, '');
  // MySQL without gtid_mode has an empty executed set: resume by file and offset there.
  if (session.flavor === 'mariadb' || gtid !== '') position.gtidSet = gtid;
  return position;
}
