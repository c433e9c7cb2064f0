import type { Pool, PoolConnection } from 'mysql2/promise';
import { FerryError } from '../../shared/errors/index.ts';
import type { Flavor } from '../../shared/mysql/flavor.ts';
import { settleWithin } from '../../shared/timeouts.ts';

export interface TargetGuardOptions {
  /** The target's flavor, known once the first query answered. */
  flavor: () => Flavor | undefined;
  /** MariaDB: idle_transaction_timeout for every session. @default none */
  idleTransactionTimeoutS: number | undefined;
  /** Called before every COMMIT; throwing refuses it (an aborted pipeline, a doubtful session). */
  commitAllowed: () => void;
  /**
   * Longest wait for the answer to one statement (COMMIT included) on a connection taken
   * from the pool; then the connection is cut and the statement fails retryably. A COMMIT
   * sent into a path that died without a FIN or RST would otherwise wait for hours.
   */
  statementTimeoutMs: number;
  /** The target, named in the timeout error. */
  endpoint: { host: string; port: number };
}

/**
 * Hooks an attempt's target pool: every COMMIT passes commitAllowed() first, every statement
 * of a connection taken from the pool (the apply path and the claim; DDL runs on pool.query,
 * unbounded) has statementTimeoutMs to answer, MariaDB sessions get the idle-transaction
 * limit, and the returned set collects every connection the pool opens so that an abort can
 * cut them (severSocket).
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
    boundStatements(connection, options);
    return connection;
  };
  return sockets;
}

const STATEMENTS = ['query', 'execute', 'beginTransaction', 'commit', 'rollback'] as const;
const NO_ANSWER = Symbol('no answer');

/**
 * Gives every statement of the connection a deadline. A statement past it cuts the connection:
 * the server then rolls the transaction back once it sees the connection close (or, if the
 * COMMIT still reaches it, commits it whole, checkpoint included); the next attempt's fence
 * claim waits for either and reads the checkpoint after it, so the batch is applied once.
 */
function boundStatements(connection: PoolConnection, options: TargetGuardOptions): void {
  const methods = connection as unknown as Record<(typeof STATEMENTS)[number], (...args: unknown[]) => Promise<unknown>>;
  for (const name of STATEMENTS) {
    const run = methods[name].bind(connection);
    methods[name] = async (...args: unknown[]) => {
      const outcome = await settleWithin(run(...args), options.statementTimeoutMs, NO_ANSWER);
      if (outcome !== NO_ANSWER) return outcome;
      const error = new FerryError('FERRY_ERR_TARGET_STATEMENT_TIMEOUT', { endpoint: `${options.endpoint.host}:${options.endpoint.port}`, timeoutMs: options.statementTimeoutMs });
      severSocket(connection.connection, error.message);
      throw error;
    };
  }
}

/**
 * Cuts a mysql2 connection at once: its pending queries fail now instead of when the server
 * answers, later ones fail at once, and a transaction open on it never gets its COMMIT.
 */
export function severSocket(connection: unknown, reason = 'connection cut: the pipeline was aborted'): void {
  const core = connection as { on?: (event: 'error', listener: () => void) => void; stream?: { destroy(error?: Error): void } };
  // The loss is wanted: without a listener mysql2's 'error' event would end the process.
  core.on?.('error', () => undefined);
  // With an error, mysql2 takes its fatal path (closed state); a bare destroy() would leave
  // later commands (the batch's ROLLBACK) waiting forever on a dead socket.
  core.stream?.destroy(Object.assign(new Error(reason), { code: 'PROTOCOL_CONNECTION_LOST' }));
}
