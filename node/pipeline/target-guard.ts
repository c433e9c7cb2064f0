import type { Pool } from 'mysql2/promise';
import type { Flavor } from '../../shared/mysql/flavor.ts';

export interface TargetGuardOptions {
  /** The target's flavor, known once the first query answered. */
  flavor: () => Flavor | undefined;
  /** MariaDB: idle_transaction_timeout for every session. @default none */
  idleTransactionTimeoutS: number | undefined;
  /** Called before every COMMIT; throwing refuses it (an aborted pipeline, a doubtful session). */
  commitAllowed: () => void;
}

/**
 * Hooks an attempt's target pool: every COMMIT passes commitAllowed() first, MariaDB
 * sessions get the idle-transaction limit, and the returned set collects every connection
 * the pool opens so that an abort can cut them (severSocket).
 */
export function guardTargetPool(pool: Pool, options: TargetGuardOptions): Set<unknown> {
  const sockets = new Set<unknown>();
  pool.pool.on('connection', (connection) => sockets.add(connection));
  const limited = new WeakSet<object>();
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = async () => {
    const connection = await getConnection();
    const limit = options.idleTransactionTimeoutS;
    if (limit !== undefined && options.flavor() === 'mariadb' && !limited.has(connection.connection)) {
      await connection.query(`SET SESSION idle_transaction_timeout = ${Math.ceil(limit)}`).catch((error: unknown) => {
        connection.release();
        throw error;
      });
      limited.add(connection.connection);
    }
    const commit = connection.commit.bind(connection);
    connection.commit = async () => {
      options.commitAllowed();
      await commit();
    };
    return connection;
  };
  return sockets;
}

/**
 * Cuts a mysql2 connection at once: its pending queries fail now instead of when the server
 * answers, later ones fail at once, and a transaction open on it never gets its COMMIT.
 */
export function severSocket(connection: unknown): void {
  const core = connection as { on?: (event: 'error', listener: () => void) => void; stream?: { destroy(error?: Error): void } };
  // The loss is wanted: without a listener mysql2's 'error' event would end the process.
  core.on?.('error', () => undefined);
  // With an error, mysql2 takes its fatal path (closed state); a bare destroy() would leave
  // later commands (the batch's ROLLBACK) waiting forever on a dead socket.
  core.stream?.destroy(Object.assign(new Error('connection cut: the pipeline was aborted'), { code: 'PROTOCOL_CONNECTION_LOST' }));
}
