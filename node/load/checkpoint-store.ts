import type { PoolConnection, Pool, RowDataPacket } from 'mysql2/promise';
import { FerryError } from '../../shared/errors/index.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import { quoteIdentifier, upsertTail, type Flavor } from '../../shared/mysql/flavor.ts';
import { conflictsTableSql } from './conflict-store.ts';

/**
 * Ferry's system tables on the target. `checkpoints` holds, per pipeline and apply worker,
 * the source position its last committed batch reached, written in the same transaction as
 * the batch's rows: the target is the source of truth for where to resume. `fences` holds
 * the newest assignment epoch per pipeline and the owner that claimed it; a batch commits
 * only under exactly that epoch and owner, so a process that lost its assignment can never
 * commit after its successor, and two claimants never share an epoch (never two writers).
 */
export interface Checkpoint {
  position: SourcePosition;
  /** Commit sequence: batches commit in this order, so the highest is the newest. */
  seq: number;
  epoch: number;
  sourceTimestamp: number;
  /** An online copy under way: its state (node/copy/copy-state.ts), committed with the batch. */
  copyState?: string;
}

/**
 * Who claims a pipeline. `scope` is the identity that may re-claim at the same epoch: a
 * cluster node's id (its pipeline restarted in the node, or the node process restarted
 * within the protection period, keeps its assignment's epoch), or `run` for `bin/ferry run`,
 * whose processes also hold the pipeline's named lock (node/pipeline/pipeline-lock.ts), so
 * only one of them is live. `id` is unique per runner (scope, host, pid, random): the claim
 * records it, and commits of any other runner are refused from then on.
 */
export interface FenceOwner {
  scope: string;
  id: string;
}

/**
 * What the claim does when the target holds no checkpoint of the pipeline although it ran
 * before (FERRY_ERR_CHECKPOINT_MISSING): the target's own trace is its fence row; a cluster
 * knows more in ZooKeeper (node/cluster/run-record.ts).
 */
export interface MissingCheckpointGuard {
  /** The operator chose where a pipeline without a checkpoint starts (`from`, `initialCopy`): no refusal. */
  startAnyway: boolean;
  /** Known elsewhere that the pipeline ran (for the message), even when the target lost its fence too. @default unknown */
  ranBefore?: string;
  /** The last position known elsewhere, named in the error so that `from` can take it. @default none */
  lastKnown?: string;
}

export class CheckpointStore {
  private readonly schema: string;
  private readonly systemSchemaName: string;

  constructor(
    private readonly flavor: Flavor,
    systemSchema: string,
    private readonly pipeline: string,
    private readonly epoch: number,
    private readonly owner: FenceOwner,
  ) {
    this.schema = quoteIdentifier(systemSchema);
    this.systemSchemaName = systemSchema;
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
      copy_state TEXT NULL,
      applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
      PRIMARY KEY (pipeline, worker)
    ) ENGINE=InnoDB`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.fences (
      pipeline VARCHAR(191) NOT NULL PRIMARY KEY,
      epoch BIGINT UNSIGNED NOT NULL,
      owner_scope VARCHAR(191) NOT NULL DEFAULT '',
      owner VARCHAR(255) NOT NULL DEFAULT '',
      claimed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
    ) ENGINE=InnoDB`);
    await this.addOwnerColumns(pool);
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
    await pool.query(conflictsTableSql(this.systemSchemaName));
  }

  /** The system schema's name (unquoted): where conflicts are recorded. */
  get systemSchema(): string {
    return this.systemSchemaName;
  }

  /** The pipeline this store writes for. */
  get pipelineName(): string {
    return this.pipeline;
  }

  /** Tables made by earlier versions get the columns added since: the fence's owner (empty: no owner known), the checkpoint's copy state. */
  private async addOwnerColumns(pool: Pool): Promise<void> {
    const [rows] = await pool.query<RowDataPacket[]>(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'fences'",
      [this.systemSchemaName],
    );
    const present = new Set(rows.map((row) => String(row.name)));
    if (!present.has('owner_scope')) await pool.query(`ALTER TABLE ${this.schema}.fences ADD COLUMN owner_scope VARCHAR(191) NOT NULL DEFAULT '' AFTER epoch`);
    if (!present.has('owner')) await pool.query(`ALTER TABLE ${this.schema}.fences ADD COLUMN owner VARCHAR(255) NOT NULL DEFAULT '' AFTER owner_scope`);
    const [checkpointColumns] = await pool.query<RowDataPacket[]>(
      "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'checkpoints' AND COLUMN_NAME = 'copy_state'",
      [this.systemSchemaName],
    );
    if (checkpointColumns.length === 0) await pool.query(`ALTER TABLE ${this.schema}.checkpoints ADD COLUMN copy_state TEXT NULL AFTER source_ts`);
  }

  /**
   * Takes ownership of the pipeline for this epoch, and for a new pipeline writes its start
   * position as checkpoint 0 (`startIfNew`). Must run before reading the checkpoint:
   * it waits for batches still committing under an older epoch, so the checkpoint read next
   * includes them, and afterwards they can no longer commit.
   *
   * A compare-and-set: a strictly greater epoch takes the pipeline from anyone; the same epoch
   * only from the same scope (a retry, a restart of the same node or run), or from a fence
   * that recorded no owner (made before owners were). Anything else is FERRY_ERR_FENCED:
   * equal epochs of two claimants would both commit.
   */
  async claim(connection: PoolConnection, startIfNew: SourcePosition, copyIfNew?: string, guard: MissingCheckpointGuard = { startAnyway: false }): Promise<{ created: boolean }> {
    await connection.beginTransaction();
    try {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT epoch, owner_scope, owner FROM ${this.schema}.fences WHERE pipeline = ? FOR UPDATE`, [this.pipeline]);
      const row = rows[0];
      if (row && !claimable(Number(row.epoch), String(row.owner_scope), this.epoch, this.owner.scope)) throw this.fenced(Number(row.epoch), String(row.owner));
      const [existing] = await connection.query<RowDataPacket[]>(`SELECT 1 FROM ${this.schema}.checkpoints WHERE pipeline = ? LIMIT 1`, [this.pipeline]);
      const created = existing.length === 0;
      // The fence and checkpoint 0 are written in one transaction, and checkpoints are never
      // deleted by Ferry: a fence without a checkpoint means the rows were removed (a DBA, a
      // restore from an older dump). Claiming now would start at the binlog end and skip every
      // change since the last batch applied, silently.
      if (created && !guard.startAnyway && (row || guard.ranBefore)) throw this.missing(row ? `its fence is still there, at epoch ${Number(row.epoch)}` : guard.ranBefore!, guard.lastKnown);
      if (!row) await connection.query(`INSERT INTO ${this.schema}.fences (pipeline, epoch, owner_scope, owner) VALUES (?, ?, ?, ?)`, [this.pipeline, this.epoch, this.owner.scope, this.owner.id]);
      else await connection.query(`UPDATE ${this.schema}.fences SET epoch = ?, owner_scope = ?, owner = ? WHERE pipeline = ?`, [this.epoch, this.owner.scope, this.owner.id, this.pipeline]);
      // A new pipeline's start is pinned with the claim, in one transaction: whoever owns it
      // next (a retry, another node after a crash) resumes here, never at a later binlog end.
      if (created) await this.write(connection, 0, 0, startIfNew, 0, copyIfNew ?? null);
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
      `SELECT seq, epoch, binlog_file, binlog_pos, gtid_set, source_ts, copy_state FROM ${this.schema}.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1`,
      [this.pipeline],
    );
    const row = rows[0];
    if (!row) return undefined;
    const position: SourcePosition = { file: String(row.binlog_file), pos: Number(row.binlog_pos) };
    if (row.gtid_set !== null) position.gtidSet = String(row.gtid_set);
    return {
      position, seq: Number(row.seq), epoch: Number(row.epoch), sourceTimestamp: Number(row.source_ts),
      ...(row.copy_state === null || row.copy_state === undefined ? {} : { copyState: String(row.copy_state) }),
    };
  }

  /**
   * First statement of every batch transaction: a shared lock on the fence row, so batches
   * of the same owner run in parallel while a new owner's claim waits for them.
   */
  async checkFence(connection: PoolConnection): Promise<void> {
    const [rows] = await connection.query<RowDataPacket[]>(`SELECT epoch, owner FROM ${this.schema}.fences WHERE pipeline = ? LOCK IN SHARE MODE`, [this.pipeline]);
    const row = rows[0];
    if (!row) throw this.fenced(-1, '');
    if (Number(row.epoch) !== this.epoch || String(row.owner) !== this.owner.id) throw this.fenced(Number(row.epoch), String(row.owner));
  }

  /** Last statement of every batch transaction: the position commits with the rows. */
  async write(connection: PoolConnection, worker: number, seq: number, position: SourcePosition, sourceTimestamp: number, copyState: string | null = null): Promise<void> {
    const columns = ['pipeline', 'worker', 'seq', 'epoch', 'binlog_file', 'binlog_pos', 'gtid_set', 'source_ts', 'copy_state'];
    await connection.query(
      `INSERT INTO ${this.schema}.checkpoints (${columns.join(',')}) VALUES (?,?,?,?,?,?,?,?,?)${upsertTail(this.flavor, columns.slice(2))}`,
      [this.pipeline, worker, seq, this.epoch, position.file, position.pos, position.gtidSet ?? null, sourceTimestamp, copyState],
    );
  }

  async recordSkipped(connection: PoolConnection, entry: { table: string; key: string; operation: string; error: string; position: SourcePosition }): Promise<void> {
    await connection.query(
      `INSERT INTO ${this.schema}.skipped_rows (pipeline, table_name, row_key, operation, error, binlog_file, binlog_pos, gtid_set) VALUES (?,?,?,?,?,?,?,?)`,
      [this.pipeline, entry.table, entry.key, entry.operation, entry.error, entry.position.file, entry.position.pos, entry.position.gtidSet ?? null],
    );
  }

  private missing(evidence: string, lastKnown: string | undefined): FerryError {
    return new FerryError('FERRY_ERR_CHECKPOINT_MISSING', { pipeline: this.pipeline, evidence, lastKnown: lastKnown ?? 'none outside the target' });
  }

  private fenced(current: number, owner: string): FerryError {
    return new FerryError('FERRY_ERR_FENCED', { pipeline: this.pipeline, current, owner: owner === '' ? 'no recorded owner' : owner, mine: this.epoch, me: this.owner.id });
  }
}

/** The fence's compare-and-set rule (see claim()). */
export function claimable(storedEpoch: number, storedScope: string, epoch: number, scope: string): boolean {
  return epoch > storedEpoch || (epoch === storedEpoch && (storedScope === scope || storedScope === ''));
}
