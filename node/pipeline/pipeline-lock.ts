import { createHash } from 'node:crypto';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { MysqlEndpoint } from '../../shared/config/mysql-url.ts';
import { FerryError } from '../../shared/errors/index.ts';
import { sslOptions, type ConnectEndpoint } from './mysql-tls.ts';

/** MySQL refuses user lock names longer than this. */
const MAX_LOCK_NAME = 64;

/** The named lock of a pipeline on its target: readable when it fits, hashed otherwise. */
export function pipelineLockName(systemSchema: string, pipeline: string): string {
  const plain = `ferry:${systemSchema}.${pipeline}`;
  if (plain.length <= MAX_LOCK_NAME) return plain;
  return `ferry:${createHash('sha256').update(`${systemSchema}\u0000${pipeline}`).digest('hex').slice(0, MAX_LOCK_NAME - 'ferry:'.length)}`;
}

/**
 * `bin/ferry run` holds its pipeline's named lock (GET_LOCK) on a connection of its own to
 * the target for as long as it runs, so a second process of the same pipeline refuses to
 * start instead of the two fencing each other in turn. The server frees the lock when the
 * holder's connection dies (a kill -9'd process), so a crash never leaves it behind.
 *
 * If the connection is lost while running (a target restart), onLost tells the runner, whose
 * attempt ends and whose next attempt takes the lock again; should another process have taken
 * it meanwhile, this one exits with FERRY_ERR_PIPELINE_RUNNING, and its commits in between are
 * refused by the fence the other one claimed: still one writer.
 */
export class PipelineLock {
  private connection: Connection | undefined;
  readonly name: string;
  /** Told once when the connection holding the lock is lost (the lock went with it). */
  onLost: (() => void) | undefined;

  constructor(
    private readonly endpoint: MysqlEndpoint,
    systemSchema: string,
    private readonly pipeline: string,
  ) {
    this.name = pipelineLockName(systemSchema, pipeline);
  }

  /**
   * Makes sure this process holds the lock: checks the connection holding it, takes it again if
   * that one is gone. `over` is the attempt's target endpoint with its TLS settled.
   */
  async hold(over: ConnectEndpoint = this.endpoint): Promise<void> {
    if (this.connection && (await this.stillHeld(this.connection))) return;
    // Lost (or no longer ours): a polite end() could wait on a dead socket.
    this.connection?.destroy();
    this.connection = undefined;
    const connection = await mysql.createConnection({ host: over.host, port: over.port, user: over.user, password: over.password, connectTimeout: 10_000, ...sslOptions(over) });
    // Without an 'error' listener mysql2 would throw the loss; the holder is told through onLost.
    const lost = () => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.onLost?.();
    };
    connection.on('error', lost);
    connection.on('end', lost);
    try {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got, IS_USED_LOCK(?) AS holder', [this.name, this.name]);
      if (Number(rows[0]?.got) !== 1) {
        throw new FerryError('FERRY_ERR_PIPELINE_RUNNING', { pipeline: this.pipeline, target: `${this.endpoint.host}:${this.endpoint.port}`, lock: this.name, holder: String(rows[0]?.holder ?? 'unknown') });
      }
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
    this.connection = connection;
  }

  /** Frees the lock (closing its connection frees it too). */
  async release(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    await connection.query('SELECT RELEASE_LOCK(?)', [this.name]).catch(() => undefined);
    await connection.end().catch(() => connection.destroy());
  }

  private async stillHeld(connection: Connection): Promise<boolean> {
    try {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine', [this.name]);
      return Number(rows[0]?.mine) === 1;
    } catch {
      return false;
    }
  }
}
