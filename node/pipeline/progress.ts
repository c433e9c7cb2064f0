import type { CopyProgressRecord, PipeStatsRecord } from '../../shared/cluster/model.ts';
import type { Batch, SourcePosition } from '../../shared/model/change.ts';
import { copyListed, parseCopyState, type CopyState } from '../copy/copy-state.ts';
import type { ConflictsSummary } from './conflict-tracker.ts';
import type { AppliedBy } from '../load/batch-applier.ts';

/** What a running pipeline reports: the progress line, stats for a manager, the API. */
export interface PipelineStatus {
  state: 'starting' | 'running' | 'retrying' | 'stopped' | 'failed';
  /** Last committed position. */
  position?: SourcePosition;
  /**
   * How far the target is behind the source (ms): while changes are waiting, now minus the
   * source commit time of the last applied transaction; caught up, the time since the source
   * was last heard from (an event or a heartbeat, by the local clock), never a flat 0: a
   * path that went dark shows a growing lag instead of looking current. The binlog records
   * commit times in whole seconds, so the commit time is estimated (see committed()): while
   * streaming it is within the batch window, when far behind within half a second.
   */
  lagMs: number;
  /** Milliseconds from a batch's first transaction reaching Ferry to its commit (the last batch). */
  applyDelayMs: number;
  /** Row changes applied per second over the last ten seconds. */
  rowsPerSecond: number;
  rowsApplied: number;
  /** Of rowsApplied, the rows written by replaying the source's row events (docs/replay.md); the rest went by SQL. @default 0 */
  rowsReplayed?: number;
  /** Batches whose replay the target refused and that were applied by SQL instead. @default 0 */
  replayFallbacks?: number;
  transactionsApplied: number;
  /**
   * A split pipeline's select side, which commits nothing itself: batches its load side
   * committed and acknowledged during this run (the failure escalator's sign of progress).
   */
  batchesAcknowledged?: number;
  /** An online copy under way (initialCopy, resync): how far it is. */
  copy?: CopyProgress;
  /** A split pipeline's load side: its pipe, while the select side is connected. */
  pipe?: PipeStatsRecord;
  /** Conflict detection on (bidirectional, detectConflicts): how many recorded, and the newest. */
  conflicts?: ConflictsSummary;
  /** Last error, when retrying or failed. */
  error?: { code: string; message: string };
}

/** An online copy's figures (node/copy/): what the node reports in its stats record. */
export type CopyProgress = CopyProgressRecord;

const WINDOW_MS = 10_000;

export class ProgressTracker {
  private readonly samples: Array<{ at: number; rows: number }> = [];
  private position: SourcePosition | undefined;
  private lastSourceTimestamp = 0;
  private rows = 0;
  private rowsReplayed = 0;
  private replayFallbacks = 0;
  private transactions = 0;
  private applyDelay = 0;
  private lastHeardAt: number;
  private copy: CopyState | undefined;
  /** The first copy batch this process committed: rows and time, for the copy's rate. */
  private copyBase: { at: number; rows: number } | undefined;

  constructor(private readonly now: () => number = Date.now) {
    // Nothing heard yet: the silence counts from the start.
    this.lastHeardAt = now();
  }

  /**
   * The source sent something: an event or a heartbeat. `at` (ms): when, if not now: a load
   * side hears it from the select side across the pipe, a little later.
   */
  heard(at: number = this.now()): void {
    this.lastHeardAt = Math.max(this.lastHeardAt, Math.min(at, this.now()));
  }

  /** `by`: how the batch's rows were written ('sql' where the caller does not say). */
  committed(batch: Batch, by: AppliedBy = 'sql'): void {
    const rows = batch.rows ?? batch.changes.length;
    if (by === 'replay') this.rowsReplayed += rows;
    if (by === 'fallback') this.replayFallbacks++;
    this.position = batch.end;
    if (batch.copy !== undefined) this.copyAt(parseCopyState(batch.copy.state));
    // The binlog stamps commits in whole seconds: a commit stamped T happened in [T, T+1s).
    // It also happened before this batch opened (when it was in the stream) — the tighter
    // bound while streaming. Behind by seconds, the middle of the second is off by <= 0.5 s.
    this.lastSourceTimestamp = batch.sourceTimestamp > 0 ? Math.min(batch.sourceTimestamp + 500, batch.openedAt) : 0;
    this.rows += rows;
    this.transactions += batch.transactions;
    const at = this.now();
    this.applyDelay = Math.max(0, at - batch.openedAt);
    this.samples.push({ at, rows });
    while (this.samples.length > 0 && this.samples[0]!.at < at - WINDOW_MS) this.samples.shift();
  }

  /** Where the pipeline resumes, and the online copy the checkpoint holds (shown before its next chunk commits). */
  resumedAt(position: SourcePosition | undefined, copy?: CopyState): void {
    this.position = position;
    if (copy !== undefined && copyListed(copy)) this.copyAt(copy);
  }

  /** Where the copy stands now; undefined: it is over. */
  private copyAt(state: CopyState | undefined): void {
    if (state === undefined) {
      this.copy = undefined;
      this.copyBase = undefined;
      return;
    }
    this.copyBase ??= { at: this.now(), rows: state.rows };
    this.copy = state;
  }

  private copyProgress(): CopyProgress | undefined {
    const copy = this.copy;
    if (copy === undefined) return undefined;
    const base = this.copyBase!;
    const seconds = (this.now() - base.at) / 1000;
    const rowsPerSecond = seconds > 0 ? Math.round((copy.rows - base.rows) / seconds) : 0;
    const copying = copy.until === undefined;
    const left = Math.max(0, copy.estimatedRows - copy.rows);
    const percent = !copying ? 100 : copy.estimatedRows > 0 ? Math.min(99.9, Math.round((1000 * copy.rows) / copy.estimatedRows) / 10) : null;
    return {
      mode: copy.mode,
      phase: copying ? 'copying' : 'replaying',
      ...(copying && copy.table ? { table: `${copy.table.schema}.${copy.table.table}` } : {}),
      tablesDone: copy.tablesDone,
      tables: copy.tables,
      rowsCopied: copy.rows,
      estimatedRows: copy.estimatedRows,
      percent,
      rowsPerSecond,
      etaSeconds: copying && rowsPerSecond > 0 ? Math.round(left / rowsPerSecond) : copying ? null : 0,
      startedAt: copy.startedAt,
    };
  }

  /** `behind` tells whether changes are waiting (queued or in flight). */
  snapshot(state: PipelineStatus['state'], behind: boolean, oldestPendingTimestamp?: number): PipelineStatus {
    const at = this.now();
    while (this.samples.length > 0 && this.samples[0]!.at < at - WINDOW_MS) this.samples.shift();
    const windowRows = this.samples.reduce((sum, sample) => sum + sample.rows, 0);
    const reference = oldestPendingTimestamp ?? this.lastSourceTimestamp;
    const status: PipelineStatus = {
      state,
      lagMs: Math.max(0, at - this.lastHeardAt, behind && reference > 0 ? at - reference : 0),
      applyDelayMs: this.applyDelay,
      rowsPerSecond: Math.round(windowRows / (WINDOW_MS / 1000)),
      rowsApplied: this.rows,
      rowsReplayed: this.rowsReplayed,
      replayFallbacks: this.replayFallbacks,
      transactionsApplied: this.transactions,
    };
    if (this.position) status.position = this.position;
    const copy = this.copyProgress();
    if (copy !== undefined) status.copy = copy;
    return status;
  }
}
