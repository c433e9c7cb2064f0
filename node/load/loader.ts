import type { Pool } from 'mysql2/promise';
import type { Logger } from '../../shared/logging.ts';
import type { Batch, SourcePosition } from '../../shared/model/change.ts';
import type { ConflictRecord } from '../../shared/model/conflict.ts';
import { applyBatch, batchWork, PredecessorFailed, type AppliedBy, type ApplyContext, type BatchWork } from './batch-applier.ts';
import type { Checkpoint, CheckpointStore, MissingCheckpointGuard } from './checkpoint-store.ts';
import { mergeTableChanges } from './merge.ts';
import { groupByTable } from './table-changes.ts';
import type { TargetTables } from './target-tables.ts';
import { waitsForCommit, writeSetOf, type Footprint, type WriteSet } from './write-set.ts';
import { breakStaleOwners } from './stale-owner-breaker.ts';
import { planReplay } from './replay-plan.ts';

export interface LoaderOptions extends ApplyContext {
  pool: Pool;
  /** Batches applied at once, each on its own connection. */
  workers: number;
  log: Logger;
  /** Called after each batch commits, in commit order, with how its rows were written. */
  onCommitted?: (batch: Batch, seq: number, by: AppliedBy) => void;
  /** Called after a batch that recorded conflicts commits, with its records (detection on). @default none */
  onConflicts?: (records: ConflictRecord[]) => void;
}

interface InFlight extends Footprint {
  seq: number;
  settled: Promise<void>;
  /** Its statements are done and it waits for its commit turn (write-set.ts, waitsForCommit). */
  applied: boolean;
}

/** A prepared batch waiting for a free worker. */
interface ReadyBatch extends Footprint {
  batch: Batch;
  work: BatchWork;
}

/**
 * REPLACE into a table with a secondary unique key takes gap locks on that key, even under READ
 * COMMITTED: two such batches applying in parallel can each wait on the other's gaps while the
 * later waits for the earlier's commit turn. They run one after another instead: a shared
 * entry in their write-sets makes them conflict.
 */
function serializeReplacing(writeSet: WriteSet, groups: Awaited<ReturnType<typeof groupByTable>>): void {
  for (const { name, table } of groups) {
    if (table.uniqueKeys.length > 1) writeSet.set(`${name}\u0000replace`, new Set(['*']));
  }
}

/**
 * The conflict check's locking reads (node/load/conflict-check.ts) lock more than their own
 * keys: a multi-value `IN (...) FOR UPDATE` over an absent key waits on the next row, and a
 * join planned over a table its statistics think empty reads it whole. A later batch of the
 * same table may hold such a row, written and waiting for its commit turn, which comes after
 * this batch: each waits on the other, InnoDB cannot see it (half of it is Ferry's commit
 * order), and it lasts the whole lock wait timeout (measured in bench --conflicts,
 * docs/benchmarks.md). So checked batches of one table run one after another: a shared
 * entry per table in their write-sets. Batches of other tables still run in parallel.
 */
function serializeChecked(writeSet: WriteSet, groups: Awaited<ReturnType<typeof groupByTable>>): void {
  for (const { name } of groups) writeSet.set(`${name}\u0000checked`, new Set(['*']));
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
  private readonly ready: ReadyBatch[] = [];
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
  async open(startIfNew: SourcePosition, copyIfNew?: string, guard?: MissingCheckpointGuard): Promise<{ checkpoint: Checkpoint; created: boolean }> {
    await this.checkpoints.ensureTables(this.options.pool);
    const connection = await this.options.pool.getConnection();
    const breaker = breakStaleOwners(this.options.pool, this.options.flavor, connection.threadId, this.options.log);
    let created: boolean;
    try {
      ({ created } = await this.checkpoints.claim(connection, startIfNew, copyIfNew, guard));
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

  /** Batches submitted and not yet committed (ready to start, or applying). */
  get pending(): number {
    return this.ready.length + this.inFlight.length;
  }

  /**
   * Prepares a batch (merge, write-set, statements) and queues it; resolves once it is queued,
   * so the caller prepares the next one while connections are busy. Waits while `workers`
   * prepared batches are already queued. Batches start in submission order, each as soon as a
   * worker is free and no batch in flight shares a row key with it (write-set dependency).
   * Throws once the loader failed.
   */
  async submit(batch: Batch): Promise<void> {
    this.throwIfFailed();
    // Inside an online copy's window the target may hold rows newer than the batch's: no detection there.
    const detect = this.options.conflicts !== undefined && batch.copy === undefined;
    const replay = await planReplay(batch, this.options.replay, this.tables, this.options.flavor, detect);
    let ready: ReadyBatch;
    if (replay !== undefined) {
      // No merge, write-set or SQL text: the fallback builds them if the target refuses the events.
      const sql = () => this.sqlWork(batch, detect).then((prepared) => prepared.work);
      ready = { batch, work: { operations: [], statements: [], replay, sql }, writeSet: new Map(), tables: new Set(replay.tables), replayed: true };
    } else {
      ready = { batch, ...(await this.sqlWork(batch, detect)), replayed: false };
    }
    for (;;) {
      this.throwIfFailed();
      if (this.ready.length < this.options.workers || this.inFlight.length === 0) break;
      await Promise.race(this.inFlight.map((other) => other.settled));
    }
    this.ready.push(ready);
    this.startReady();
  }

  /** A batch's SQL work: merged changes per table, write-set, statements. */
  private async sqlWork(batch: Batch, detect: boolean): Promise<{ work: BatchWork; writeSet: WriteSet; tables: Set<string> }> {
    const groups = await groupByTable(batch.changes, this.tables);
    // A copy's chunks hold disjoint key ranges, and the stream's batches wait until every chunk
    // committed (node/copy/copy-window.ts): no row key of theirs can meet another batch's.
    const writeSet: WriteSet = batch.copy?.clear === undefined ? writeSetOf(groups) : new Map<string, Set<string>>();
    if (batch.copy?.replace === true) serializeReplacing(writeSet, groups);
    // Statements too are built ahead: while the batches in flight hold the connections, not
    // on the path from one finishing to the next starting.
    // The stream replaying a copy's window: rows it inserts may be there already (copied later).
    const mayExist = batch.copy?.replace === true && batch.copy.clear === undefined;
    if (detect) serializeChecked(writeSet, groups);
    const work = batchWork(groups.map((group) => mergeTableChanges(group.table, group.changes, mayExist, detect)), this.options.flavor, batch.copy, detect);
    return { work, writeSet, tables: new Set(groups.map((group) => group.name)) };
  }

  /** Starts queued batches from the head while a worker is free and the head conflicts with nothing in flight. */
  private startReady(): void {
    while (this.failure === undefined && this.ready.length > 0 && this.inFlight.length < this.options.workers) {
      const head = this.ready[0]!;
      if (this.inFlight.some((other) => waitsForCommit(other, head))) return;
      this.ready.shift();
      this.start(head);
    }
  }

  private start({ batch, work, writeSet, tables, replayed }: ReadyBatch): void {
    // Sequence and commit turn are taken now, in submission order, whatever order connections arrive in.
    const seq = this.nextSeq++;
    const worker = this.freeWorkers.shift()!;
    const turn = this.lastCommit;
    const committed = this.options.pool.getConnection().then((connection) =>
      applyBatch(connection, batch, work, worker, seq, turn, this.options, () => {
        entry.applied = true;
        this.startReady();
      }).finally(() => connection.release()),
    ).finally(() => this.freeWorkers.push(worker));
    // The next batch commits after this one, and not at all if this one fails.
    this.lastCommit = committed.then(() => undefined, (error: unknown) => {
      throw error instanceof PredecessorFailed ? error : new PredecessorFailed(`batch ${seq} failed`);
    });
    // Handled here so the last batch's failure is not an unhandled rejection; the next batch still sees it.
    this.lastCommit.catch(() => undefined);
    const entry: InFlight = {
      seq,
      writeSet,
      tables,
      replayed,
      applied: false,
      settled: committed.then(
        ({ conflicts, by }) => {
          this.options.onCommitted?.(batch, seq, by);
          if (conflicts.length > 0) {
            // One line a batch, not a row: the rows are in <systemSchema>.conflicts.
            const first = conflicts[0]!;
            this.options.log.warn({ conflicts: conflicts.length, table: first.table, key: first.key, kind: first.kind, decision: first.decision, position: first.position }, 'conflicts recorded');
            this.options.onConflicts?.(conflicts);
          }
        },
        (error: unknown) => {
          if (!(error instanceof PredecessorFailed) && this.failure === undefined) this.failure = error instanceof Error ? error : new Error(String(error));
        },
      ).finally(() => {
        this.inFlight.splice(this.inFlight.indexOf(entry), 1);
        this.startReady();
      }),
    };
    this.inFlight.push(entry);
  }

  /** Waits until every batch submitted so far has committed; throws if one failed. */
  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  /**
   * Waits for batches in flight to finish either way, without throwing (for shutdown). Queued
   * batches that cannot start any more (a batch failed) are dropped: they are read again from
   * the checkpoint.
   */
  async settle(): Promise<void> {
    while (this.inFlight.length > 0) await Promise.all(this.inFlight.map((entry) => entry.settled));
    this.ready.length = 0;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
