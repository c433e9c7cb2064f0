import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { Batch, SourcePosition } from '../../shared/model/change.ts';
import type { ConflictRecord } from '../../shared/model/conflict.ts';
import { EchoGuard } from '../load/echo-guard.ts';
import type { ConflictSettings } from '../load/conflict-resolver.ts';
import { readRecentConflicts } from '../load/conflict-store.ts';
import { RECENT_CONFLICTS, type ConflictsSummary } from './conflict-tracker.ts';
import { flavorOfVersion, type Flavor } from '../../shared/mysql/flavor.ts';
import { CheckpointStore, type FenceOwner, type MissingCheckpointGuard } from '../load/checkpoint-store.ts';
import { Loader } from '../load/loader.ts';
import type { AppliedBy } from '../load/batch-applier.ts';
import { replayRunStateOf, type ReplaySettings } from '../load/replay-plan.ts';
import { TargetTables } from '../load/target-tables.ts';
import type { BatchReceiver, ResumePoint, ResumeRequest } from './batch-channel.ts';
import { runLoadLoop } from './load-loop.ts';
import { settlePreferred, type ConnectEndpoint } from './mysql-tls.ts';
import type { PipelineLock } from './pipeline-lock.ts';
import { refuseSelfReplication } from './server-identity.ts';
import { onTargetOf, type Classified } from './side-errors.ts';
import { guardTargetPool, severSocket } from './target-guard.ts';
import { createTargetPool } from './target-pool.ts';
import { copyStateText, newCopyState, parseCopyState, type CopyState } from '../copy/copy-state.ts';
import { CopyWindow } from '../copy/copy-window.ts';

/** What the checks before the claim get of the target (preflight.ts). */
export interface TargetAccess {
  pool: Pool;
  checkpoints: CheckpointStore;
  onTarget: Classified;
}

export interface LoadSideOptions {
  log: Logger;
  /** This runner's identity in the fence. */
  owner: FenceOwner;
  /** The pipeline's named lock, held while running (`bin/ferry run`). @default none */
  lock?: PipelineLock;
  /** MariaDB: idle_transaction_timeout for every session. @default none */
  idleTransactionTimeoutS?: number;
  /** Called before every COMMIT; throwing refuses it. */
  commitAllowed: () => void;
  /**
   * Runs on the first resume request, after the lock and before the claim: the prechecks, which
   * read the source too, so the one-process runner supplies them (preflight.ts). @default none
   */
  beforeClaim?: (request: ResumeRequest, target: TargetAccess) => Promise<void>;
  /**
   * What is known outside the target of the pipeline's earlier runs (a cluster's ZooKeeper):
   * without a checkpoint on the target, the claim refuses to start at the binlog end
   * (FERRY_ERR_CHECKPOINT_MISSING), naming the last position known. @default only the target's fence counts
   */
  ranBefore?: () => Promise<{ evidence: string; lastKnown?: string } | undefined>;
  /** After each claim, with the checkpoint it found or wrote (a new pipeline's start). @default none */
  onClaimed?: (position: SourcePosition) => void;
  /** Where the pipeline resumes: the checkpoint's position, or undefined for a new one. */
  onResumed?: (position: SourcePosition | undefined, copy?: CopyState) => void;
  /** After each batch commits, in commit order, with how its rows were written (replayed or by SQL). */
  onCommitted?: (batch: Batch, by: AppliedBy) => void;
  /** After a batch that recorded conflicts commits (detectConflicts). @default none */
  onConflicts?: (records: ConflictRecord[]) => void;
  /** At each attempt's claim (detectConflicts): the conflicts the target recorded so far, for stats. @default none */
  onConflictsRead?: (found: ConflictsSummary) => void;
  aborted: () => boolean;
}

/**
 * One attempt of a pipeline's load side: Transform and Load, next to the target. Opens the
 * target pool, answers the select side's resume request (lock, fence claim, checkpoint), then
 * applies the batches it receives, committing rows, checkpoint and fence in one transaction
 * per batch and acknowledging each. It never connects to the source.
 */
export class LoadSide {
  private pool: Pool | undefined;
  private sockets = new Set<unknown>();
  private flavor: Flavor | undefined;
  private loader: Loader | undefined;
  private tables: TargetTables | undefined;
  private checkpoints: CheckpointStore | undefined;
  private poolEnded: Promise<void> | undefined;
  private resumed = false;
  private channel: BatchReceiver | undefined;
  private settled: ConnectEndpoint | undefined;
  private readonly onTarget: Classified;
  private readonly copyWindow: CopyWindow;
  /** Which channel batch each loader batch came from. */
  private readonly seqOf = new WeakMap<Batch, number>();

  constructor(
    private readonly pipeline: RuntimePipeline,
    private readonly endpoint: ConnectEndpoint,
    private readonly options: LoadSideOptions,
  ) {
    this.onTarget = onTargetOf(pipeline.target);
    this.copyWindow = new CopyWindow(pipeline.mapping);
  }

  /** Settles the target's TLS, opens the pool and learns the target's flavor. */
  async open(): Promise<void> {
    const { pipeline, options } = this;
    const target = await settlePreferred(this.endpoint, 'target', options.log);
    this.settled = target;
    const pool = createTargetPool(target, pipeline.parallel + 2, options.log);
    this.pool = pool;
    this.sockets = guardTargetPool(pool, {
      flavor: () => this.flavor,
      idleTransactionTimeoutS: options.idleTransactionTimeoutS,
      commitAllowed: options.commitAllowed,
      statementTimeoutMs: pipeline.liveness.targetStatementMs,
      endpoint: pipeline.target,
    });
    const [versionRows] = await this.onTarget(pool.query<RowDataPacket[]>('SELECT VERSION() AS version, @@max_allowed_packet AS maxAllowedPacket'));
    const flavor = flavorOfVersion(String(versionRows[0]?.version ?? ''));
    const replay = this.replaySettings(flavor, Number(versionRows[0]?.maxAllowedPacket ?? 0));
    this.flavor = flavor;
    const checkpoints = new CheckpointStore(flavor, pipeline.systemSchema, pipeline.name, pipeline.epoch, options.owner);
    const tables = new TargetTables(pool);
    this.checkpoints = checkpoints;
    this.tables = tables;
    this.loader = new Loader(
      {
        pool, flavor, workers: pipeline.parallel, log: options.log, checkpoints, tables, errorPolicy: pipeline.errorPolicy,
        ...(pipeline.detectConflicts ? { conflicts: conflictSettings(pipeline) } : {}),
        ...(options.onConflicts === undefined ? {} : { onConflicts: options.onConflicts }),
        ...(replay === undefined ? {} : { replay }),
        onCommitted: (batch, _seq, by) => {
          options.onCommitted?.(batch, by);
          const seq = this.seqOf.get(batch);
          if (seq !== undefined) this.channel?.ack(seq);
        },
      },
      checkpoints,
      tables,
    );
  }

  /**
   * Load's replay settings, or undefined when no batch of this attempt can be replayed; says
   * once per run which path rows take and, when not replayed, why (docs/replay.md).
   */
  private replaySettings(flavor: Flavor, maxAllowedPacket: number): ReplaySettings | undefined {
    const { pipeline, options } = this;
    const state = replayRunStateOf(pipeline);
    const off = pipeline.binlogReplay === 'off' ? 'binlogReplay: off'
      : flavor !== 'mariadb' ? 'the target is not MariaDB'
        : pipeline.detectConflicts ? 'conflict detection reads the target first'
          : pipeline.hook !== undefined ? 'a hook may change rows'
            : state.off !== undefined ? `the target refused it: ${state.off}` : undefined;
    if (!state.told.has('')) {
      state.told.add('');
      options.log.info({ binlogReplay: pipeline.binlogReplay, replay: off === undefined, ...(off === undefined ? {} : { reason: off }) }, off === undefined ? 'rows replayed where the tables allow, else SQL' : 'rows applied by SQL');
    }
    if (off !== undefined && pipeline.binlogReplay === 'require' && flavor !== 'mariadb') {
      throw new FerryError('FERRY_ERR_REPLAY_REFUSED', { detail: `the target ${pipeline.target.host}:${pipeline.target.port} is not MariaDB` });
    }
    if (off !== undefined) return undefined;
    return { mode: pipeline.binlogReplay, pipeline: pipeline.name, maxAllowedPacket, state, log: options.log };
  }

  /** Answers the channel's resume request, then applies what it receives until the stream ends. */
  async stream(channel: BatchReceiver): Promise<void> {
    this.channel = channel;
    channel.serveResume((request) => this.resume(request).catch((error: unknown) => {
      const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
      channel.fail(failure);
      throw failure;
    }));
    try {
      await this.loadLoop(channel);
    } catch (error) {
      // Policy stop records the batch's conflicts in a transaction of their own and commits
      // nothing else, so no onConflicts follows: read them, for the stats of a stopped pipeline.
      if (isFerryError(error, 'FERRY_ERR_CONFLICT')) await this.readConflicts();
      throw error;
    }
  }

  private async loadLoop(channel: BatchReceiver): Promise<void> {
    await runLoadLoop({
      pipeline: this.pipeline,
      channel,
      loader: this.loader!,
      tables: this.tables!,
      pool: this.pool!,
      log: this.options.log,
      onTarget: this.onTarget,
      aborted: this.options.aborted,
      submitted: (batch, seq) => this.seqOf.set(batch, seq),
      copyWindow: this.copyWindow,
    });
  }

  /**
   * The lock, the checks before the claim, the fence claim, and where to start. One per
   * attempt: a select side that restarts alone would need the batches in flight settled
   * first, and the pipe's failures restart both sides (ROLLBACK, then RESTART).
   */
  private async resume(request: ResumeRequest): Promise<ResumePoint> {
    const { pipeline, options, onTarget } = this;
    if (this.resumed) throw new FerryError('FERRY_ERR_INTERNAL', { detail: 'a second resume request in one attempt of the load side' });
    this.resumed = true;
    const { lock, log } = options;
    // First, before anything is written on either side.
    if (request.sameServerProbe !== undefined) await this.refuseSameServer(request.sameServerProbe);
    if (lock) {
      await onTarget(lock.hold(this.settled));
      // The lock went with its connection: end this attempt, the next one takes it again.
      lock.onLost = () => this.channel?.fail(new FerryError('FERRY_ERR_TARGET_WRITE', { detail: `the connection holding the pipeline lock ${lock.name} was lost` }));
    }
    await options.beforeClaim?.(request, { pool: this.pool!, checkpoints: this.checkpoints!, onTarget });
    // A new pipeline with initialCopy starts its copy in the claim itself: a crash before the
    // first chunk resumes the copy, never a stream that would skip the existing rows.
    const copyIfNew = pipeline.initialCopy ? copyStateText(newCopyState('initial', 0, 0)) : undefined;
    const { checkpoint, created } = await onTarget(this.loader!.open(request.startIfNew, copyIfNew, await this.missingCheckpointGuard()));
    if (!created && pipeline.from) log.warn({ checkpoint: checkpoint.position }, 'checkpoint found on the target: --from is ignored');
    const copy = parseCopyState(checkpoint.copyState);
    options.onClaimed?.(checkpoint.position);
    await this.readConflicts();
    options.onResumed?.(created ? undefined : checkpoint.position, copy);
    // Set before the answer goes: the first batch may follow it at once.
    this.copyWindow.resumeWith(copy);
    return { position: checkpoint.position, resumed: !created, epoch: pipeline.epoch, ...(copy === undefined ? {} : { copy }) };
  }

  /**
   * A start without a checkpoint is refused for a pipeline that ran before, unless the operator
   * chose where it starts: `from` (`end` included) or a copy of the tables (exact anyway).
   */
  private async missingCheckpointGuard(): Promise<MissingCheckpointGuard> {
    const { pipeline, options } = this;
    if (pipeline.from !== undefined || pipeline.initialCopy) return { startAnyway: true };
    const known = await options.ranBefore?.();
    return { startAnyway: false, ...(known === undefined ? {} : { ranBefore: known.evidence, ...(known.lastKnown === undefined ? {} : { lastKnown: known.lastKnown }) }) };
  }

  /**
   * The conflicts recorded before this attempt (the table exists once the loader opened). Display
   * data only: a failure to read is logged and the pipeline goes on; the next attempt reads again.
   */
  private async readConflicts(): Promise<void> {
    const { pipeline, options } = this;
    if (!pipeline.detectConflicts || options.onConflictsRead === undefined) return;
    try {
      options.onConflictsRead(await readRecentConflicts(this.pool!, pipeline.systemSchema, pipeline.name, RECENT_CONFLICTS));
    } catch (error) {
      options.log.warn({ err: error }, 'recorded conflicts not read; stats show the new ones only');
    }
  }

  /** FERRY_ERR_SOURCE_IS_TARGET when the target sees the select side's probe lock held. */
  private async refuseSameServer(probe: string): Promise<void> {
    const { onTarget } = this;
    const connection = await onTarget(this.pool!.getConnection());
    try {
      await refuseSelfReplication(this.pipeline, probe, (sql, values) => onTarget(connection.query<RowDataPacket[]>(sql, values).then(([rows]) => rows)));
    } finally {
      connection.release();
    }
  }

  /** Cuts every target connection at once: nothing in flight commits any more. */
  sever(reason?: string): void {
    for (const socket of this.sockets) severSocket(socket, reason);
    void this.endPool();
  }

  /** Lets the batches in flight finish either way, then closes the pool. */
  async close(): Promise<void> {
    await this.loader?.settle();
    await this.endPool();
  }

  private endPool(): Promise<void> {
    this.poolEnded ??= this.pool?.end().catch(() => undefined) ?? Promise.resolve();
    return this.poolEnded;
  }
}

/** Detection's settings from the pipeline: a bidirectional side's policy, or source-wins one-way. */
function conflictSettings(pipeline: RuntimePipeline): ConflictSettings {
  const bidirectional = pipeline.bidirectional;
  if (bidirectional === undefined) return { pipeline: pipeline.name, side: { policy: 'source-wins', primary: true } };
  return {
    pipeline: pipeline.name,
    side: { policy: bidirectional.conflicts, primary: bidirectional.primary },
    // The primary's direction receives echoes (node/extract/mirror-filter.ts).
    ...(bidirectional.primary ? { echoGuard: new EchoGuard() } : {}),
    ...(bidirectional.timestampColumn === undefined ? {} : { timestampColumn: bidirectional.timestampColumn }),
  };
}
