import mysql, { type Pool } from 'mysql2/promise';
import type { Logger } from '../../shared/logging.ts';
import { classifyTargetError } from '../load/target-errors.ts';
import { TARGET_SESSION_VARIABLES } from '../transform/values.ts';
import { sslOptions, type ConnectEndpoint } from './mysql-tls.ts';

/**
 * Connections to the target, each set up for exact apply: UTC session time zone and strict
 * SQL mode (see TARGET_SESSION_VARIABLES), no foreign key checks (the source already checked
 * them and batches are applied table by table), READ COMMITTED (no gap locks between
 * parallel batches), and lock waits short enough to retry rather than hang.
 *
 * The settings go first on every new connection (mysql2 runs a connection's commands in
 * order). A connection that refuses one is destroyed with a logged error, never used with the
 * server's defaults: another time zone would shift every TIMESTAMP value in silence.
 */
export function createTargetPool(endpoint: ConnectEndpoint, connections: number, log: Logger): Pool {
  const pool = mysql.createPool({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    connectionLimit: connections,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: 10_000,
    ...sslOptions(endpoint),
    // The apply path's statements carry their values in the text (node/load/sql-literal.ts);
    // handed no values, mysql2 would still scan each of them, thousands of rows long, for '?'.
    queryFormat: (sql: string, values: unknown, timezone?: string) => (values === undefined || (Array.isArray(values) && values.length === 0) ? sql : mysql.format(sql, values as Parameters<typeof mysql.format>[1], false, timezone)),
  });
  pool.pool.on('connection', (connection) => {
    const refused = (error: unknown) => {
      if (!error) return;
      const failure = classifyTargetError(error, endpoint);
      log.error({ code: failure.code, detail: failure.message }, 'target refused the session settings; connection dropped');
      connection.destroy();
    };
    connection.query(`SET SESSION time_zone = '${TARGET_SESSION_VARIABLES.time_zone}', sql_mode = '${TARGET_SESSION_VARIABLES.sql_mode}', foreign_key_checks = 0, innodb_lock_wait_timeout = 20`, refused);
    connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', refused);
  });
  return pool;
}
