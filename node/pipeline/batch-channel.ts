import type { FerryError } from '../../shared/errors/index.ts';
import type { ColumnInfo, SourcePosition, SourceTransaction, TableRef } from '../../shared/model/change.ts';
import type { WireKey } from '../../shared/cluster/verify-jobs.ts';
import type { CopyState } from '../copy/copy-state.ts';
import type { SourcePrecheckReport } from '../prechecks/index.ts';

/**
 * What joins a pipeline's select side (Select, Extract: next to the source) to its load side
 * (Transform, Load: next to the target). Today both run in one process over the in-process
 * channel (in-process-channel.ts); the node-to-node pipe implements the same two ends across
 * the network, one message per call: resume-request / resume-at, batch, ack. Neither side
 * knows which carries its batches.
 *
 * The checkpoint stays in the target: the load side commits rows, checkpoint and fence in one
 * transaction and acknowledges; the select side keeps nothing it could not read again, and on
 * every (re)start asks the load side where to start. Delivery is at-least-once, apply exactly
 * once.
 */

/** Sent by the select side when it starts: what the load side needs before it can answer. */
export interface ResumeRequest {
  /**
   * Where a pipeline without a checkpoint starts: the source's binlog end now, or the user's
   * --from. Read on the source, so it crosses: the load side's fence claim writes it.
   */
  startIfNew: SourcePosition;
  /**
   * A named lock the select side holds on the source until the answer comes: the load side
   * refuses to go on when the target sees it held (source and target are one server,
   * server-identity.ts). Absent when the source refused the lock (then nothing is checked).
   */
  sameServerProbe?: string;
  /**
   * A split pipeline's source prechecks (SelectSideOptions.prechecks, preflight.ts): their
   * results and what the load side compares with the target before its claim. Absent in one
   * process, where the load side runs every check with the source session at hand.
   */
  prechecks?: SourcePrecheckReport;
}

/** The load side's answer: where the select side's stream must start. */
export interface ResumePoint {
  /** The checkpoint's position: after the last committed batch. */
  position: SourcePosition;
  /** False when the claim created the checkpoint (a new pipeline, at startIfNew). */
  resumed: boolean;
  /** The epoch the load side claimed the fence with, for the select side's log. */
  epoch: number;
  /**
   * An online copy under way (node/copy/): committed with the checkpoint. Until `until` is set
   * the select side copies from where it stands, then streams from `position`.
   */
  copy?: CopyState;
}

/** What a batch of the online copy carries besides its rows (node/copy/). */
export interface CopyChunk {
  /** The copy's state once this batch commits; null: the copy is over and nothing is left to replay. */
  state: CopyState | null;
  /**
   * The source key range the chunk read: target rows in it that the chunk does not write are
   * deleted (rows the source no longer has). Absent on the batch that closes the copy.
   */
  clear?: CopyRange;
}

/** A source table's key range: after `after` (from the start without), up to `upTo` included (to the end without). */
export interface CopyRange {
  table: TableRef;
  /** The key's columns, in key order. */
  key: ColumnInfo[];
  after?: WireKey;
  upTo?: WireKey;
}

/**
 * A batch of whole source transactions, extracted (only the changes of replicated tables,
 * after the user's hook), in binlog order. A transaction holding DDL travels alone: the load
 * side commits what came before it, applies it, then commits its position.
 */
export interface SelectedBatch {
  /** 1, 2, 3... from each resume on: acknowledgements name it. */
  seq: number;
  transactions: SourceTransaction[];
  /** Position after the last transaction: the checkpoint this batch commits. */
  end: SourcePosition;
  /** Source commit time of the last transaction (ms, whole seconds), for lag. */
  sourceTimestamp: number;
  /** Local time (ms) the first transaction went into the batch: for the apply delay. */
  openedAt: number;
  /** Binlog bytes of its row events: what the channel's byte bound counts. */
  bytes: number;
  /**
   * On the first batch after a resume only: replicated source tables that existed when the
   * stream started. DROP DATABASE names no table, and the load side cannot ask the source.
   */
  knownTables?: TableRef[];
  /** A batch of the online copy: its rows are the chunk's, at the copy's snapshot position. */
  copy?: CopyChunk;
  /** Its transactions are echoes (SourceTransaction.echo), all of them. */
  echo?: true;
}

/** How much may be sent and not yet acknowledged; an empty window always takes one batch. */
export interface ChannelBounds {
  batches: number;
  bytes: number;
}

/** The select side's end. */
export interface BatchSender {
  /**
   * Where to start reading, asked once at start and after every restart. Answered once the
   * load side holds the pipeline's fence and nothing it received earlier is in flight any more.
   */
  resumeAt(request: ResumeRequest): Promise<ResumePoint>;
  /** Hands a batch over once the window has room for it (back-pressure on the binlog reader). */
  send(batch: SelectedBatch): Promise<void>;
  /** Batches sent and not yet acknowledged (committed on the target). */
  readonly unacked: number;
  /**
   * Calls `listener` after each acknowledgement, until the returned function is called: the
   * select loop sends a waiting batch as soon as the target is idle. Optional: without it a
   * batch behind one in flight waits out batch.maxDelayMs.
   */
  onAcked?(listener: () => void): () => void;
  /** A clean stop: no batch follows; the load side commits what it received and ends. */
  end(): void;
  /** The failure that closed the channel, from either side. */
  readonly failure: FerryError | undefined;
  /** Closes the channel with an error: pending and later calls on both ends throw it. */
  fail(error: FerryError): void;
}

/** The load side's end. */
export interface BatchReceiver {
  /** Answers the select side's resume requests (the fence claim and checkpoint read). */
  serveResume(answer: (request: ResumeRequest) => Promise<ResumePoint>): void;
  /** The next batch, or undefined when none arrives within `timeoutMs` or the stream ended. */
  receive(timeoutMs: number): Promise<SelectedBatch | undefined>;
  /** True once end() was called and every batch sent before it was received. */
  readonly ended: boolean;
  /** Batches up to and including `seq` committed: frees their room in the window. */
  ack(seq: number): void;
  readonly failure: FerryError | undefined;
  fail(error: FerryError): void;
}
