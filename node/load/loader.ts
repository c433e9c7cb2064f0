import type { Pool } from 'mysql2/promise';
import type { Logger } from '../../shared/logging.ts';
import type { Batch, SourcePosition } from '../../shared/model/change.ts';
import { applyBatch, PredecessorFailed, type ApplyContext } from './batch-applier.ts';
import type { Checkpoint, CheckpointStore } from './checkpoint-store.ts';
import { mergeTableChanges } from './merge.ts';
import { groupByTable } from './table-changes.ts';
import type { TargetTables } from './target-tables.ts';
import { intersects, writeSetOf, type WriteSet } from './write-set.ts';
import { breakStaleOwners } from './stale-owner-breaker.ts';

export interface LoaderOptions extends ApplyContext {
  pool: Pool;
  /** Batches applied at once, each on its own connection. */
  workers: number;
  log: Logger;
  /** Called after each batch commits, in commit order. */
  onCommitted?: (batch: Batch, seq: number) => void;
}

interface InFlight {
  seq: number;
  writeSet: WriteSet;
  settled: Promise<void>;
}

/**
 * Load: applies batches on up to `workers` connections at once. A batch starts as soon as a
 * worker is free and no batch in flight shares a row key with it (write-set dependency);
 * commits happen strictly in batch order. So the target only ever holds a prefix of the
 * batches, and the checkpoint with the highest sequence is an exact resume point: no
 * transaction applied twice, none skipped, with several writers.
 */
export class Loader {
  private readonly inFlight: InFlight[] = [];
  private readonly freeWorkers: number[];
  private lastCommit: Promise<void> = Promise.resolve();
  private nextSeq = 1;
  private failure: Error | undefined;

  constructor(
    private readonly options: LoaderOptions,
    private readonly checkpoints: CheckpointStore,
    private readonly tables: TargetTables,
  ) {
    this.freeWorkers = Array.from({ length: options.workers }, (_, i) => i);
  }

  /**
   * Creates the system tables, takes ownership (epoch), and returns where to resume: the
   * checkpoint, which a new pipeline gets at `startIfNew` in the claim itself (`created`).
   */
  async open(startIfNew: SourcePosition): Promise<{ checkpoint: Checkpoint; created: boolean }> {
    await this.checkpoints.ensureTables(this.options.pool);
    const connection = await this.options.pool.getConnection();
    const breaker = breakStaleOwners(this.options.pool, this.options.flavor, connection.threadId, this.options.log);
    let created: boolean;
    try {
      ({ created } = await this.checkpoints.claim(connection, startIfNew));
    } finally {
      breaker.stop();
      connection.release();
    }
    const checkpoint = await this.checkpoints.read(this.options.pool);
    if (!checkpoint) throw new Error(`pipeline checkpoint missing right after the claim wrote it`);
    this.nextSeq = checkpoint.seq + 1;
    return { checkpoint, created };
  }

  /** The first error that stopped the loader, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  get pending(): number {
    return this.inFlight.length;
  }

  /**
   * Starts applying a batch; resolves once it is under way (not committed). Waits while all
   * workers are busy or a batch in flight conflicts with it. Throws once the loader failed.
   */
  async submit(batch: Batch): Promise<void> {
    this.throwIfFailed();
    const groups = await groupByTable(batch.changes, this.tables);
    const writeSet = writeSetOf(groups);
    const operations = groups.map((group) => mergeTableChanges(group.table, group.changes));
    while (this.inFlight.length >= this.options.workers || this.inFlight.some((other) => intersects(other.writeSet, writeSet))) {
      await Promise.race(this.inFlight.map((other) => other.settled));
      this.throwIfFailed();
    }
    const seq = this.nextSeq++;
    const worker = this.freeWorkers.shift()!;
    const turn = this.lastCommit;
    const connection = await this.options.pool.getConnection();
    const committed = applyBatch(connection, batch, operations, worker, seq, turn, this.options).finally(() => {
      connection.release();
      this.freeWorkers.push(worker);
    });
    // The next batch commits after this one, and not at all if this one fails.
    this.lastCommit = committed.catch((error: unknown) => {
      throw error instanceof PredecessorFailed ? error : new PredecessorFailed(`batch ${seq} failed`);
    });
    // Handled here so the last batch's failure is not an unhandled rejection; the next batch still sees it.
    this.lastCommit.catch(() => undefined);
    const entry: InFlight = {
      seq,
      writeSet,
      settled: committed.then(
        () => this.options.onCommitted?.(batch, seq),
        (error: unknown) => {
          if (!(error instanceof PredecessorFailed) && this.failure === undefined) this.failure = error instanceof Error ? error : new Error(String(error));
        },
      ).finally(() => this.inFlight.splice(this.inFlight.indexOf(entry), 1)),
    };
    this.inFlight.push(entry);
  }

  /** Waits until every batch submitted so far has committed; throws if one failed. */
  async drain(): Promise<void> {
    while (this.inFlight.length > 0) await Promise.all(this.inFlight.map((entry) => entry.settled));
    this.throwIfFailed();
  }

  /** Waits for batches in flight to finish either way, without throwing (for shutdown). */
  async settle(): Promise<void> {
    while (this.inFlight.length > 0) await Promise.all(this.inFlight.map((entry) => entry.settled));
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
