import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import { DEFAULT_MAX_BATCH_BYTES } from '../pipe/pipe-options.ts';
import type { Logger } from '../../shared/logging.ts';
import type { RowHook } from '../extract/extractor.ts';
import type { FenceOwner } from '../load/checkpoint-store.ts';
import type { AppliedBy } from '../load/batch-applier.ts';
import type { Batch } from '../../shared/model/change.ts';
import type { PipeStatsRecord } from '../../shared/cluster/model.ts';
import type { PipeHost } from '../pipe/pipe-host.ts';
import type { PipeTuning } from '../pipe/pipe-options.ts';
import { runLoadOverPipe } from '../pipe/load-over-pipe.ts';
import { runSelectOverPipeAttempt, waitsForLoadSide } from '../pipe/select-over-pipe.ts';
import type { PipeBatchSender } from '../pipe/pipe-batch-sender.ts';
import type { ClientTls } from '../../shared/tls/tls-options.ts';
import { runLocalAttempt } from './local-attempt.ts';
import { WHOLE, type PipelineRole } from './pipeline-role.ts';
import { connectEndpoint, type ConnectEndpoint } from './mysql-tls.ts';
import { PipelineLock } from './pipeline-lock.ts';
import { ConflictTracker } from './conflict-tracker.ts';
import { ProgressTracker, type PipelineStatus } from './progress.ts';
import type { LoadSideOptions } from './load-side.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import type { PipelineMetrics, PipelineRecorder, PipeTotals } from '../metrics/pipeline-metrics.ts';

export interface RunnerOptions {
  log: Logger;
  hook?: RowHook;
  /**
   * A retryable failure (a database restarting, a dropped connection): true, the runner tries
   * again from the checkpoint after a back-off; false, run() rejects with it (a cluster node
   * hands it to the arbiter: ROLLBACK, then RESTART). @default true
   */
  retryInternally?: boolean;
  /** Runs right before every COMMIT on the target; throwing refuses the commit (a node whose ZooKeeper session is in doubt). @default none */
  beforeCommit?: () => void;
  /**
   * MariaDB targets: seconds a Ferry session may sit idle inside an open transaction before
   * the server kills it (idle_transaction_timeout). A process frozen mid-batch then holds the
   * fence row's shared lock against its successor's claim only that long. @default none
   */
  idleTransactionTimeoutS?: number;
  /**
   * Who may re-claim the pipeline's fence at the same epoch (node/load/checkpoint-store.ts):
   * `node:<id>` in a cluster node. @default 'run'
   */
  ownerScope?: string;
  /**
   * Holds the pipeline's named lock on the target while running, and refuses to start while
   * another live process holds it (FERRY_ERR_PIPELINE_RUNNING): `bin/ferry run`, where no
   * scheduler hands out epochs. @default false
   */
  exclusive?: boolean;
  /** The whole pipeline, or one side of a split one (pipeline-role.ts). @default whole */
  role?: PipelineRole;
  /** A node's pipe: its server (load sides), its client TLS and tuning (select sides). Needed by split sides. */
  pipes?: NodePipes;
  /** What is known outside the target of the pipeline's earlier runs (LoadSideOptions.ranBefore). @default none */
  ranBefore?: LoadSideOptions['ranBefore'];
  /** The position the target holds: at each claim, then after each commit (whole pipelines and load sides). @default none */
  onApplied?: (position: SourcePosition) => void;
  /** The process's pipeline series (node/metrics/pipeline-metrics.ts): fed while run() runs. @default none */
  metrics?: PipelineMetrics;
}

/** What a node's split sides share: the node's one pipe server, its TLS as a client, the pipe's tuning. */
export interface NodePipes {
  /** Absent on a node without --pipe-listen (it is never given a load side). */
  host?: PipeHost;
  clientTls?: ClientTls;
  tuning: PipeTuning;
}

/**
 * How long a select side waits, trying again, for a load side that is not waiting for it yet
 * (not assigned, another epoch, its node stopping or unreachable) before it fails to the
 * arbiter: the assignments usually settle it sooner (select-over-pipe.ts).
 */
const LOAD_SIDE_WAIT_MS = 60_000;

/**
 * Runs one pipeline in this process: its select side (Select → Extract) and its load side
 * (Transform → Load) joined by an in-process channel (local-attempt.ts), resuming from the
 * checkpoint in the target. In a node, a split pipeline's runner runs one side only (its
 * `role`): the select side streams to the load node through the pipe
 * (node/pipe/select-over-pipe.ts), the load side waits in the node's pipe server for it
 * (node/pipe/load-over-pipe.ts). This class is the lifecycle: attempts, back-off, status, stop
 * and abort. Retryable failures (a source or target restarting, a dropped
 * connection) end the attempt; the next attempt starts over from the target checkpoint
 * after a back-off. Other failures stop the pipeline with their error.
 *
 * stop() lets the batches in flight commit; abort() drops them: every target connection is
 * cut, nothing commits any more, and the work is read again from the checkpoint next time.
 */
export class PipelineRunner {
  private readonly progress = new ProgressTracker();
  private readonly conflicts = new ConflictTracker();
  private state: PipelineStatus['state'] = 'starting';
  private lastError: FerryError | undefined;
  private stopRequested = false;
  private readonly stopped = new AbortController();
  private behind = false;
  private wakeConsumer: (() => void) | undefined;
  private aborted = false;
  private running: Promise<void> | undefined;
  /** Cuts the current attempt's connections (set while an attempt runs). */
  private sever: (() => void) | undefined;
  /** This runner's identity in the fence: kept across its attempts, unique among runners. */
  private readonly owner: FenceOwner;
  private readonly lock: PipelineLock | undefined;
  private connectTo: { source: ConnectEndpoint; target: ConnectEndpoint } | undefined;
  /** A split pipeline's select side, while an attempt runs: its sender (batches acknowledged). */
  private selectSender: PipeBatchSender | undefined;
  /** Batches acknowledged in this runner's earlier attempts. */
  private acknowledgedBefore = 0;
  /** A split pipeline's load side, while an attempt runs: its pipe's figures. */
  private pipeStats: (() => PipeStatsRecord | undefined) | undefined;
  /** The current attempt's select queue: rows waiting in it. */
  private queuedRows: (() => number) | undefined;
  /** A split pipeline's load side, while an attempt runs: its pipe's byte totals. */
  private pipeTotals: (() => PipeTotals | undefined) | undefined;
  private recorder: PipelineRecorder | undefined;
  /** A select side: since when it has been waiting for its load side (LOAD_SIDE_WAIT_MS). */
  private waitingForLoadSince: number | undefined;

  constructor(
    private readonly pipeline: RuntimePipeline,
    private readonly options: RunnerOptions,
  ) {
    const scope = options.ownerScope ?? 'run';
    this.owner = { scope, id: `${scope}@${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}` };
    if (options.exclusive) this.lock = new PipelineLock(pipeline.target, pipeline.systemSchema, pipeline.name);
  }

  status(): PipelineStatus {
    const status = this.progress.snapshot(this.state, this.behind);
    if (this.lastError) status.error = { code: this.lastError.code, message: this.lastError.message };
    const pipe = this.pipeStats?.();
    if (pipe !== undefined) status.pipe = pipe;
    const conflicts = this.conflicts.snapshot();
    if (conflicts !== undefined) status.conflicts = conflicts;
    if (this.role.side === 'select') status.batchesAcknowledged = this.acknowledgedBefore + (this.selectSender?.acknowledged ?? 0);
    return status;
  }

  /** Asks for a clean stop: no new batch starts; the ones in flight commit. */
  stop(): void {
    this.stopRequested = true;
    this.stopped.abort();
    this.wakeConsumer?.();
  }

  /**
   * Ends the pipeline at once without committing anything further: batches in flight roll
   * back, the binlog reader stops. Resolves once run() has ended. A COMMIT already sent when
   * abort() is called may still land; a successor's fence claim waits for it.
   */
  abort(): Promise<void> {
    if (!this.aborted) {
      this.aborted = true;
      this.options.log.warn('pipeline aborted: batches in flight roll back, nothing more commits');
      this.stop();
      this.sever?.();
    }
    return (this.running ?? Promise.resolve()).then(() => undefined, () => undefined);
  }

  run(): Promise<void> {
    if (this.running === undefined) {
      this.recorder = this.options.metrics?.attach(this.pipeline.name, this.role.side, { status: () => this.status(), queuedRows: () => this.queuedRows?.(), pipeTotals: () => this.pipeTotals?.() });
      this.running = this.loop().finally(() => {
        this.recorder?.detach();
        return this.lock?.release();
      });
    }
    return this.running;
  }

  /** A batch committed on the target: progress and metrics. */
  private committed(batch: Batch, by: AppliedBy): void {
    this.progress.committed(batch, by);
    this.recorder?.committed(batch);
    this.options.onApplied?.(batch.end);
  }

  /** The endpoints with their certificate files read: once per run, not per attempt. */
  private endpoints(): { source: ConnectEndpoint; target: ConnectEndpoint } {
    this.connectTo ??= { source: connectEndpoint(this.pipeline.source, 'source'), target: connectEndpoint(this.pipeline.target, 'target') };
    return this.connectTo;
  }

  private async loop(): Promise<void> {
    const log = this.options.log;
    let delay = this.pipeline.retry.initialDelayMs;
    let prechecked = false;
    while (!this.stopRequested) {
      const startedAt = Date.now();
      try {
        await this.attempt(!prechecked, () => (prechecked = true));
        this.state = 'stopped';
        return;
      } catch (error) {
        const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
        if (this.aborted) {
          this.state = 'stopped';
          return;
        }
        this.lastError = failure;
        this.recorder?.failed(failure.code);
        if (this.stopRequested) {
          this.state = 'stopped';
          if (failure.retryable) return;
          throw failure;
        }
        if (!waitsForLoadSide(failure)) this.waitingForLoadSince = undefined;
        const waitsHere = this.role.side === 'select' && waitsForLoadSide(failure) && Date.now() - (this.waitingForLoadSince ??= Date.now()) < LOAD_SIDE_WAIT_MS;
        // Purged between the check at the start and the binlog reader's first read: the next attempt re-copies.
        const resyncs = failure.code === 'FERRY_ERR_BINLOG_PURGED' && this.pipeline.onPurgedBinlog === 'resync';
        if ((!failure.retryable && !resyncs) || (this.options.retryInternally === false && !waitsHere)) {
          this.state = 'failed';
          throw failure;
        }
        // A host name that does not resolve before the pipeline ever connected is a typo far
        // more often than a DNS outage: stop with one line rather than retry forever.
        const unknownHost = prechecked ? undefined : hostNotFound(failure);
        if (unknownHost !== undefined) {
          this.state = 'failed';
          this.lastError = unknownHost;
          throw unknownHost;
        }
        // An attempt that ran a while was healthy: start the back-off over.
        if (Date.now() - startedAt > 30_000) delay = this.pipeline.retry.initialDelayMs;
        this.state = 'retrying';
        // One short line per retry: the message, not the stack and cause chain (kilobytes each).
        log.warn({ code: failure.code, detail: failure.message, retryInMs: delay }, 'pipeline attempt failed, retrying');
        await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, this.pipeline.retry.maxDelayMs);
      }
    }
    this.state = 'stopped';
  }

  /** The load side's part in the missing-checkpoint guard (node/load/checkpoint-store.ts). */
  private appliedOptions(): Pick<LoadSideOptions, 'ranBefore' | 'onClaimed'> {
    const { ranBefore, onApplied } = this.options;
    return { ...(ranBefore ? { ranBefore } : {}), ...(onApplied ? { onClaimed: onApplied } : {}) };
  }

  private get role(): PipelineRole {
    return this.options.role ?? WHOLE;
  }

  private async attempt(runPrechecks: boolean, prechecksPassed: () => void): Promise<void> {
    const log = this.options.log;
    const aborted = () => this.aborted;
    const role = this.role;
    const passed = runPrechecks ? prechecksPassed : undefined;
    if (role.side === 'select') return this.selectAttempt(role, passed);
    if (role.side === 'load') return this.loadAttempt(role, passed);
    try {
      await runLocalAttempt({
        pipeline: this.pipeline,
        endpoints: this.endpoints(),
        log,
        select: {
          ...(this.options.hook ? { hook: this.options.hook } : {}),
          onHeard: () => this.progress.heard(),
          setBehind: (behind) => (this.behind = behind),
          onQueue: (queuedRows) => (this.queuedRows = queuedRows),
          stopRequested: () => this.stopRequested,
          aborted,
        },
        load: {
          owner: this.owner,
          ...(this.lock ? { lock: this.lock } : {}),
          ...(this.options.idleTransactionTimeoutS !== undefined ? { idleTransactionTimeoutS: this.options.idleTransactionTimeoutS } : {}),
          commitAllowed: () => this.commitAllowed(),
          ...this.appliedOptions(),
          onResumed: (position, copy) => this.progress.resumedAt(position, copy),
          onCommitted: (batch, by) => this.committed(batch, by),
          onConflicts: (records) => this.conflicts.recorded(records),
          onConflictsRead: (found) => this.conflicts.loaded(found),
          aborted,
        },
        prechecks: runPrechecks ? prechecksPassed : undefined,
        onStreaming: () => {
          this.state = 'running';
          this.lastError = undefined;
        },
        hold: (controls) => {
          this.sever = controls?.sever;
          this.wakeConsumer = controls?.wake;
        },
      });
    } finally {
      this.behind = false;
      this.queuedRows = undefined;
    }
    if (this.aborted) return;
    log.info({ position: this.progress.snapshot(this.state, false).position }, 'pipeline stopped');
  }

  /** A split pipeline's select side: the binlog to the load node through the pipe. */
  private async selectAttempt(role: Extract<PipelineRole, { side: 'select' }>, prechecksPassed: (() => void) | undefined): Promise<void> {
    const pipes = this.nodePipes();
    try {
      await runSelectOverPipeAttempt({
        pipeline: this.pipeline,
        endpoint: this.endpoints().source,
        role,
        clientTls: pipes.clientTls,
        prechecksPassed,
        tuning: pipes.tuning,
        log: this.options.log,
        select: {
          ...(this.options.hook ? { hook: this.options.hook } : {}),
          onHeard: () => this.progress.heard(),
          setBehind: (behind) => (this.behind = behind),
          onQueue: (queuedRows) => (this.queuedRows = queuedRows),
          stopRequested: () => this.stopRequested,
          aborted: () => this.aborted,
        },
        onStreaming: () => {
          this.state = 'running';
          this.lastError = undefined;
          this.waitingForLoadSince = undefined;
        },
        hold: (controls) => {
          this.sever = controls?.sever;
          this.wakeConsumer = controls?.wake;
          // An attempt's acknowledged batches outlive it: the next attempt's sender starts at 0.
          this.acknowledgedBefore += this.selectSender?.acknowledged ?? 0;
          this.selectSender = controls?.sender;
        },
      });
    } finally {
      this.behind = false;
      this.queuedRows = undefined;
    }
  }

  /** A split pipeline's load side: waits in the node's pipe server for its select side, then loads what it sends. */
  private async loadAttempt(role: Extract<PipelineRole, { side: 'load' }>, prechecksPassed: (() => void) | undefined): Promise<void> {
    const pipes = this.nodePipes();
    if (pipes.host === undefined) {
      throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `this node holds the load side of split pipeline ${this.pipeline.name} but runs without --pipe-listen: start it with --pipe-listen HOST:PORT` });
    }
    this.state = 'starting';
    try {
      await runLoadOverPipe({
        pipeline: this.pipeline,
        endpoint: this.endpoints().target,
        role,
        host: pipes.host,
        maxBatchBytes: pipes.tuning.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES,
        prechecksPassed,
        log: this.options.log,
        load: {
          owner: this.owner,
          ...(this.options.idleTransactionTimeoutS !== undefined ? { idleTransactionTimeoutS: this.options.idleTransactionTimeoutS } : {}),
          commitAllowed: () => this.commitAllowed(),
          ...this.appliedOptions(),
          onResumed: (position, copy) => this.progress.resumedAt(position, copy),
          onCommitted: (batch, by) => this.committed(batch, by),
          onConflicts: (records) => this.conflicts.recorded(records),
          onConflictsRead: (found) => this.conflicts.loaded(found),
          aborted: () => this.aborted,
        },
        onSourceStatus: (status) => {
          this.progress.heard(status.heardAt);
          this.behind = status.behind;
        },
        onStreaming: () => {
          this.state = 'running';
          this.lastError = undefined;
        },
        stopRequested: () => this.stopRequested,
        hold: (controls) => {
          this.sever = controls?.sever;
          this.wakeConsumer = controls?.wake;
          this.pipeStats = controls?.pipeStats;
          this.pipeTotals = controls?.pipeTotals;
        },
      });
    } finally {
      this.behind = false;
      this.queuedRows = undefined;
    }
  }

  private nodePipes(): NodePipes {
    const pipes = this.options.pipes;
    if (pipes === undefined) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `split side of ${this.pipeline.name} without the node's pipes` });
    return pipes;
  }

  private commitAllowed(): void {
    if (this.aborted) throw new FerryError('FERRY_ERR_PIPELINE_ABORTED', { pipeline: this.pipeline.name });
    this.options.beforeCommit?.();
  }
}

/** FERRY_ERR_HOST_NOT_FOUND when `failure` is a connection refused by DNS (ENOTFOUND). */
function hostNotFound(failure: FerryError): FerryError | undefined {
  const side = failure.code === 'FERRY_ERR_SOURCE_UNREACHABLE' ? 'source' : failure.code === 'FERRY_ERR_TARGET_UNREACHABLE' ? 'target' : undefined;
  if (side === undefined || (failure.cause as { code?: unknown } | undefined)?.code !== 'ENOTFOUND') return undefined;
  return new FerryError('FERRY_ERR_HOST_NOT_FOUND', { side, endpoint: failure.details.endpoint, detail: 'ENOTFOUND' }, { cause: failure });
}
