import type { RowDataPacket } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { StartPosition } from '../../shared/config/pipeline-spec.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import { flavorOfVersion, type Flavor } from '../../shared/mysql/flavor.ts';
import type { RowHook } from '../extract/extractor.ts';
import { CheckpointStore, type FenceOwner } from '../load/checkpoint-store.ts';
import { Loader } from '../load/loader.ts';
import { classifyTargetError } from '../load/target-errors.ts';
import { TargetTables } from '../load/target-tables.ts';
import { BinlogReader } from '../select/binlog-reader.ts';
import { classifySourceError } from '../select/source-errors.ts';
import { ProgressTracker, type PipelineStatus } from './progress.ts';
import { replicatedTables, runPipelinePrechecks } from './pipeline-prechecks.ts';
import { currentSourcePosition, openSourceSession, type SourceSession } from './source-session.ts';
import { connectEndpoint, settlePreferred, type ConnectEndpoint } from './mysql-tls.ts';
import { createTargetPool } from './target-pool.ts';
import { runStreamLoop } from './stream-loop.ts';
import { TransactionQueue } from './transaction-queue.ts';
import { guardTargetPool, severSocket } from './target-guard.ts';
import { PipelineLock } from './pipeline-lock.ts';
import { refuseSelfReplication } from './server-identity.ts';

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
}

/**
 * Runs one pipeline in this process: Select → Extract → Transform → Load, resuming from the
 * checkpoint in the target. Retryable failures (a source or target restarting, a dropped
 * connection) end the attempt; the next attempt starts over from the target checkpoint
 * after a back-off. Other failures stop the pipeline with their error.
 *
 * stop() lets the batches in flight commit; abort() drops them: every target connection is
 * cut, nothing commits any more, and the work is read again from the checkpoint next time.
 */
export class PipelineRunner {
  private readonly progress = new ProgressTracker();
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
    this.running ??= this.loop().finally(() => this.lock?.release());
    return this.running;
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
        if (this.stopRequested) {
          this.state = 'stopped';
          if (failure.retryable) return;
          throw failure;
        }
        if (!failure.retryable || this.options.retryInternally === false) {
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

  private async attempt(runPrechecks: boolean, prechecksPassed: () => void): Promise<void> {
    const { pipeline } = this;
    const log = this.options.log;
    const configured = this.endpoints();
    // PREFERRED is settled once per attempt: the server may have gained or lost TLS since.
    const target = await settlePreferred(configured.target, 'target', log);
    const sourceEndpoint = await settlePreferred(configured.source, 'source', log);
    const pool = createTargetPool(target, pipeline.parallel + 2, log);
    let targetFlavor: Flavor | undefined;
    const sockets = guardTargetPool(pool, {
      flavor: () => targetFlavor,
      idleTransactionTimeoutS: this.options.idleTransactionTimeoutS,
      commitAllowed: () => this.commitAllowed(),
      statementTimeoutMs: pipeline.liveness.targetStatementMs,
      endpoint: pipeline.target,
    });
    let source: SourceSession | undefined;
    let sourceConnection: unknown;
    let reader: BinlogReader | undefined;
    let loader: Loader | undefined;
    let poolEnded: Promise<void> | undefined;
    const endPool = () => (poolEnded ??= pool.end().catch(() => undefined));
    const cut = (reason?: string) => {
      for (const socket of sockets) severSocket(socket, reason);
      if (sourceConnection) severSocket((sourceConnection as { connection: unknown }).connection, reason);
      void reader?.stop().catch(() => undefined);
      void endPool();
    };
    this.sever = () => cut();
    // The set-up's queries (prechecks, the claim, the checkpoint) on a path that died without
    // closing would wait forever: past the bound everything is cut and the attempt retried.
    const setupBound = pipeline.liveness.targetStatementMs;
    const setupTimer = setTimeout(() => cut(`no answer within ${setupBound} ms while the pipeline was starting`), setupBound);
    // The apply path reports driver errors: classify them (a lost connection is retryable).
    const onTarget = <T>(work: Promise<T>): Promise<T> => work.catch((error: unknown) => {
      throw classifyTargetError(error, pipeline.target);
    });
    try {
      source = await openSourceSession(sourceEndpoint, (connection) => (sourceConnection = connection));
      const [versionRows] = await onTarget(pool.query<RowDataPacket[]>('SELECT VERSION() AS version'));
      targetFlavor = flavorOfVersion(String(versionRows[0]?.version ?? ''));
      const session = source;
      // Source queries: a connection lost here (a restarting source) is retried like any other.
      const onSource = <T>(work: Promise<T>): Promise<T> => work.catch((error: unknown) => {
        throw classifySourceError(error, pipeline.source);
      });
      // First, before anything is written on either side.
      const probe = await onTarget(pool.getConnection());
      try {
        await refuseSelfReplication(
          pipeline,
          (sql, values) => onSource(session.connection.query<RowDataPacket[]>(sql, values).then(([rows]) => rows)),
          (sql, values) => onTarget(probe.query<RowDataPacket[]>(sql, values).then(([rows]) => rows)),
        );
      } finally {
        probe.release();
      }
      let lockLost: FerryError | undefined;
      if (this.lock) {
        const lock = this.lock;
        await onTarget(lock.hold(target));
        // The lock went with its connection: end this attempt, the next one takes it again.
        lock.onLost = () => {
          lockLost = new FerryError('FERRY_ERR_TARGET_WRITE', { detail: `the connection holding the pipeline lock ${lock.name} was lost` });
          this.wakeConsumer?.();
        };
      }
      const checkpoints = new CheckpointStore(targetFlavor, pipeline.systemSchema, pipeline.name, pipeline.epoch, this.owner);
      const tables = new TargetTables(pool);
      loader = new Loader(
        { pool, flavor: targetFlavor, workers: pipeline.parallel, log, checkpoints, tables, errorPolicy: pipeline.errorPolicy, onCommitted: (batch) => this.progress.committed(batch) },
        checkpoints,
        tables,
      );
      // Where a new pipeline starts, read before the claim pins it: rows written once the
      // claim is visible are never before it.
      const startIfNew: SourcePosition = pipeline.from ? sourcePositionOf(pipeline.from) : await onSource(currentSourcePosition(session));
      if (runPrechecks) {
        // Before the claim: a pipeline refused here leaves no checkpoint behind (a later --from still counts).
        await onTarget(checkpoints.ensureTables(pool));
        const existing = await onTarget(checkpoints.read(pool));
        await onSource(runPipelinePrechecks(pipeline, session, pool, existing?.position ?? startIfNew));
        prechecksPassed();
      }
      const { checkpoint, created } = await onTarget(loader.open(startIfNew));
      if (!created && pipeline.from) log.warn({ checkpoint: checkpoint.position }, 'checkpoint found on the target: --from is ignored');
      const start: SourcePosition = checkpoint.position;
      const knownTables = new Map((await onSource(replicatedTables(pipeline, session))).map((t) => [`${t.schema}\u0000${t.table}`, t]));
      this.progress.resumedAt(created ? undefined : checkpoint.position);
      log.info({ start, resumed: !created, epoch: pipeline.epoch }, 'pipeline starting');

      const includeSchemas = pipeline.mapping.literalSourceSchemas();
      let readerFailure: FerryError | undefined;
      const queue = new TransactionQueue({ rows: pipeline.queue.maxRows, bytes: pipeline.queue.maxBytes }, (paused) => (paused ? reader?.pause() : reader?.resume()));
      this.wakeConsumer = () => queue.wake();
      reader = new BinlogReader({
        endpoint: sourceEndpoint,
        serverId: pipeline.serverId,
        start,
        // Row events of schemas no rule reads are skipped undecoded (statements are not: DDL
        // and statement-logged changes are classified whatever their schema).
        ...(includeSchemas === undefined ? {} : { includeSchemas }),
        replicates: (schema, table) => pipeline.mapping.mapTable(schema, table) !== undefined,
        heartbeatMs: pipeline.liveness.heartbeatMs,
        silenceMs: pipeline.liveness.sourceSilenceMs,
        log,
        onHeard: () => this.progress.heard(),
        onTransaction: (transaction) => queue.push(transaction),
        onError: (error) => {
          readerFailure = error;
          queue.wake();
        },
      });
      await reader.start();
      clearTimeout(setupTimer);
      this.state = 'running';
      this.lastError = undefined;

      await runStreamLoop({
        pipeline, queue, loader, tables, pool, log, knownTables, onTarget,
        ...(this.options.hook ? { hook: this.options.hook } : {}),
        readerFailure: () => readerFailure ?? lockLost,
        stopRequested: () => this.stopRequested,
        aborted: () => this.aborted,
        setBehind: (behind) => (this.behind = behind),
      });
      if (this.aborted) return;
      log.info({ position: this.progress.snapshot(this.state, false).position }, 'pipeline stopped');
    } finally {
      clearTimeout(setupTimer);
      this.behind = false;
      this.wakeConsumer = undefined;
      await reader?.stop().catch(() => undefined);
      await loader?.settle();
      await source?.connection.end().catch(() => undefined);
      await endPool();
      // Kept until here: an abort() during a clean stop still cuts the batches in flight.
      this.sever = undefined;
    }
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

/** A user's --from as a stream position; the file of a GTID start arrives with the stream. */
function sourcePositionOf(from: StartPosition): SourcePosition {
  return from.kind === 'gtid' ? { file: '', pos: 4, gtidSet: from.gtidSet } : { file: from.file, pos: from.pos };
}
