import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { FerryError } from '../../shared/errors/index.ts';
import type { Row, SourcePosition } from '../../shared/model/change.ts';
import { quoteIdentifier, quoteTable } from '../../shared/mysql/flavor.ts';
import { sslOptions, type ConnectEndpoint } from '../pipeline/mysql-tls.ts';
import { classifySourceError } from '../select/source-errors.ts';
import type { CopyTable } from './copy-tables.ts';

/**
 * The copy's own session on the source. Values are read in the shapes the binlog decoder
 * gives (node/transform/values.ts), so copied rows go through Transform and Load as streamed
 * ones do: temporal values as exact text (dateStrings; TIMESTAMPs in UTC, as the target
 * session writes them), integers beyond 2^53 and DECIMALs as exact text, binary strings and
 * BIT as bytes.
 */
export async function openCopySession(endpoint: ConnectEndpoint): Promise<Connection> {
  try {
    const connection = await mysql.createConnection({
      host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, connectTimeout: 10_000, charset: 'utf8mb4',
      dateStrings: true, supportBigNumbers: true, bigNumberStrings: false, decimalNumbers: false, ...sslOptions(endpoint),
    });
    await connection.query("SET SESSION time_zone = '+00:00'");
    return connection;
  } catch (error) {
    throw classifySourceError(error, endpoint);
  }
}

/**
 * The binlog position of a consistent snapshot: every transaction before it is visible to
 * every read that starts later, and none after it was visible to the snapshot. A position read
 * with SHOW MASTER STATUS has no such promise (a transaction is in the binlog before its commit
 * is visible), so rows read after it could miss a transaction the stream would skip. The
 * snapshot's transaction ends at once: it only pins the position (MariaDB: binlog_snapshot_*).
 */
export async function snapshotPosition(connection: Connection): Promise<SourcePosition> {
  await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
  let file: string;
  let pos: number;
  try {
    const [rows] = await connection.query<RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
    const status = new Map(rows.map((row) => [String(row.Variable_name).toLowerCase(), String(row.Value)]));
    file = status.get('binlog_snapshot_file') ?? '';
    pos = Number(status.get('binlog_snapshot_position') ?? NaN);
  } finally {
    await connection.query('COMMIT');
  }
  if (file === '' || !Number.isFinite(pos)) {
    throw new FerryError('FERRY_ERR_COPY_UNSUPPORTED', { detail: 'the source reports no binlog_snapshot_file/binlog_snapshot_position (a MariaDB source with log_bin on has them)' });
  }
  const [gtidRows] = await connection.query<RowDataPacket[]>('SELECT BINLOG_GTID_POS(?, ?) AS gtid', [file, pos]);
  const gtid: unknown = gtidRows[0]?.gtid;
  if (gtid === null || gtid === undefined) {
    throw new FerryError('FERRY_ERR_COPY_UNSUPPORTED', { detail: `BINLOG_GTID_POS('${file}', ${pos}) returned NULL: the snapshot's binlog file is gone already` });
  }
  const text = typeof gtid === 'string' ? gtid : Buffer.isBuffer(gtid) ? gtid.toString('utf8') : '';
  return { file, pos, gtidSet: text.replace(/\s/g, '') };
}

/** `(k1, k2) > (v1, v2)` spelled out, so that the server reads the key range from the index. */
function keyAfter(key: readonly string[], values: readonly unknown[]): { sql: string; values: unknown[] } {
  const alternatives: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < key.length; i++) {
    const equal = key.slice(0, i).map((column) => `${quoteIdentifier(column)} = ?`);
    alternatives.push(`(${[...equal, `${quoteIdentifier(key[i]!)} > ?`].join(' AND ')})`);
    params.push(...values.slice(0, i), values[i]);
  }
  return { sql: alternatives.join(' OR '), values: params };
}

/** Up to `limit` rows after key `after` (from the start without), in key order: one short statement, no lock. */
export async function readChunk(connection: Connection, table: CopyTable, after: readonly unknown[] | undefined, limit: number): Promise<Row[]> {
  const where = after === undefined ? undefined : keyAfter(table.key, after);
  const columns = table.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  const order = table.key.map(quoteIdentifier).join(', ');
  const sql = `SELECT ${columns} FROM ${quoteTable(table.ref.schema, table.ref.table)}${where ? ` WHERE ${where.sql}` : ''} ORDER BY ${order} LIMIT ${limit}`;
  const [rows] = await connection.query<RowDataPacket[]>(sql, where?.values ?? []);
  return rows;
}
