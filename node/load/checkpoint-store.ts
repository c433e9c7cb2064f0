import type { PoolConnection, Pool, RowDataPacket } from 'mysql2/promise';
import { FerryError } from '../../shared/errors/index.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import { quoteIdentifier, upsertTail, type Flavor } from '../../shared/mysql/flavor.ts';

/**
 * Ferry's system tables on the target. `checkpoints` holds, per pipeline and apply worker,
 * the source position its last committed batch reached, written in the same transaction as
 * the batch's rows: the target is the source of truth for where to resume. `fences` holds
 * the newest assignment epoch per pipeline; a batch commits only under that epoch, so a
 * node that lost its assignment can never commit after its successor.
 */
export interface Checkpoint {
  position: SourcePosition;
  /** Commit sequence: batches commit in this order, so the highest is the newest. */
  seq: number;
  epoch: number;
  sourceTimestamp: number;
}

export class CheckpointStore {
  private readonly schema: string;

  constructor(
    private readonly flavor: Flavor,
    systemSchema: string,
    private readonly pipeline: string,
    private readonly epoch: number,
  ) {
    this.schema = quoteIdentifier(systemSchema);
  }

  async ensureTables(pool: Pool): Promise<void> {
    await pool.query(`CREATE DATABASE IF NOT EXISTS ${this.schema}`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.checkpoints (
      pipeline VARCHAR(191) NOT NULL,
      worker SMALLINT UNSIGNED NOT NULL,
      seq BIGINT UNSIGNED NOT NULL,
      epoch BIGINT UNSIGNED NOT NULL,
      binlog_file VARCHAR(255) NOT NULL,
      binlog_pos BIGINT UNSIGNED NOT NULL,
      gtid_set TEXT NULL,
      source_ts BIGINT NOT NULL,
      applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
      PRIMARY KEY (pipeline, worker)
    ) ENGINE=InnoDB`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.fences (
      pipeline VARCHAR(191) NOT NULL PRIMARY KEY,
      epoch BIGINT UNSIGNED NOT NULL,
      claimed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
    ) ENGINE=InnoDB`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.skipped_rows (
      id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
      pipeline VARCHAR(191) NOT NULL,
      table_name VARCHAR(400) NOT NULL,
      row_key TEXT NOT NULL,
      operation VARCHAR(16) NOT NULL,
      error TEXT NOT NULL,
      binlog_file VARCHAR(255) NOT NULL,
      binlog_pos BIGINT UNSIGNED NOT NULL,
      gtid_set TEXT NULL,
      skipped_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
      KEY (pipeline, skipped_at)
    ) ENGINE=InnoDB`);
  }

  /**
   * Takes ownership of the pipeline for this epoch, and for a new pipeline writes its start
   * position as checkpoint 0 (`startIfNew`). Must run before reading the checkpoint:
   * it waits for batches still committing under an older epoch, so the checkpoint read next
   * includes them, and afterwards they can no longer commit.
   */
  async claim(connection: PoolConnection, startIfNew: SourcePosition): Promise<{ created: boolean }> {
    await connection.beginTransaction();
    try {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT epoch FROM ${this.schema}.fences WHERE pipeline = ? FOR UPDATE`, [this.pipeline]);
      const current = rows[0] ? Number(rows[0].epoch) : undefined;
      if (current !== undefined && current > this.epoch) throw this.fenced(current);
      if (current === undefined) await connection.query(`INSERT INTO ${this.schema}.fences (pipeline, epoch) VALUES (?, ?)`, [this.pipeline, this.epoch]);
      else await connection.query(`UPDATE ${this.schema}.fences SET epoch = ? WHERE pipeline = ?`, [this.epoch, this.pipeline]);
      // A new pipeline's start is pinned with the claim, in one transaction: whoever owns it
      // next (a retry, another node after a crash) resumes here, never at a later binlog end.
      const [existing] = await connection.query<RowDataPacket[]>(`SELECT 1 FROM ${this.schema}.checkpoints WHERE pipeline = ? LIMIT 1`, [this.pipeline]);
      const created = existing.length === 0;
      if (created) await this.write(connection, 0, 0, startIfNew, 0);
      await connection.commit();
      return { created };
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    }
  }

  /** The newest committed checkpoint of the pipeline, or undefined for a new pipeline. */
  async read(pool: Pool): Promise<Checkpoint | undefined> {
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT seq, epoch, binlog_file, binlog_pos, gtid_set, source_ts FROM ${this.schema}.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1`,
      [this.pipeline],
    );
    const row = rows[0];
    if (!row) return undefined;
    const position: SourcePosition = { file: String(row.binlog_file), pos: Number(row.binlog_pos) };
    if (row.gtid_set !== null) position.gtidSet = String(row.gtid_set);
    return { position, seq: Number(row.seq), epoch: Number(row.epoch), sourceTimestamp: Number(row.source_ts) };
  }

  /**
   * First statement of every batch transaction: a shared lock on the fence row, so batches
   * of the same owner run in parallel while a new owner's claim waits for them.
   */
  async checkFence(connection: PoolConnection): Promise<void> {
    const [rows] = await connection.query<RowDataPacket[]>(`SELECT epoch FROM ${this.schema}.fences WHERE pipeline = ? LOCK IN SHARE MODE`, [this.pipeline]);
    const current = rows[0] ? Number(rows[0].epoch) : undefined;
    if (current === undefined || current !== this.epoch) throw this.fenced(current ?? -1);
  }

  /** Last statement of every batch transaction. Also marks the transaction as Ferry's (loop prevention). */
  async write(connection: PoolConnection, worker: number, seq: number, position: SourcePosition, sourceTimestamp: number): Promise<void> {
    const columns = ['pipeline', 'worker', 'seq', 'epoch', 'binlog_file', 'binlog_pos', 'gtid_set', 'source_ts'];
    await connection.query(
      `INSERT INTO ${this.schema}.checkpoints (${columns.join(',')}) VALUES (?,?,?,?,?,?,?,?)${upsertTail(this.flavor, columns.slice(2))}`,
      [this.pipeline, worker, seq, this.epoch, position.file, position.pos, position.gtidSet ?? null, sourceTimestamp],
    );
  }

  async recordSkipped(connection: PoolConnection, entry: { table: string; key: string; operation: string; error: string; position: SourcePosition }): Promise<void> {
    await connection.query(
      `INSERT INTO ${this.schema}.skipped_rows (pipeline, table_name, row_key, operation, error, binlog_file, binlog_pos, gtid_set) VALUES (?,?,?,?,?,?,?,?)`,
      [this.pipeline, entry.table, entry.key, entry.operation, entry.error, entry.position.file, entry.position.pos, entry.position.gtidSet ?? null],
    );
  }

  private fenced(current: number): FerryError {
    return new FerryError('FERRY_ERR_FENCED', { pipeline: this.pipeline, current, mine: this.epoch });
  }
}
