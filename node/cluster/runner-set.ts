import type { PipelineStatsRecord } from '../../shared/cluster/model.ts';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { PipelineRole } from '../pipeline/pipeline-role.ts';
import type { PipelineStatus } from '../pipeline/progress.ts';
import type { DesiredPipeline } from './cluster-view.ts';
import { statsRecord } from './stats-record.ts';

/** The part of PipelineRunner the node drives; unit tests pass a fake. */
export interface ManagedRunner {
  /** Resolves when stopped on request; rejects when a failure stopped it. */
  run(): Promise<void>;
  /** Clean stop: the batch in flight commits. */
  stop(): void;
  /** Ends at once, batches in flight dropped (nothing more commits); resolves once run() ended. */
  abort(): Promise<void>;
  status(): PipelineStatus;
}

export type RunnerFactory = (pipeline: RuntimePipeline, role: PipelineRole) => ManagedRunner;

/** A runner that ended on its own with an error (or an assignment that cannot run). */
export interface RunnerFailure {
  desired: DesiredPipeline;
  error: FerryError;
  /** The runner's last status; absent when no runner started. */
  status?: PipelineStatus;
  ranMs: number;
}

interface Entry {
  desired: DesiredPipeline;
  state: 'running' | 'stopping' | 'failed';
  runner?: ManagedRunner;
  error?: { code: string; message: string };
  exited?: Promise<void>;
  startedAt?: number;
}

/**
 * The pipelines running in this node, kept equal to the desired set: start what is missing,
 * stop what is no longer wanted, restart what changed (new epoch or new resolved
 * configuration), leave alone what is equal.
 *
 * A restart waits for the old runner to finish its batch in flight before the new one starts,
 * so two runners of one pipeline never overlap in this process (with the same epoch and the
 * same node, the target's fence lets the new one take the old one's row). A runner that failed stays stopped, its error
 * kept for stats, until its fingerprint changes or it leaves the desired set (a PAUSE/START
 * of the channel therefore retries it), or until the node retries it (retry()). abort()
 * drops runners without letting their batches in flight commit (ROLLBACK, a lost session).
 */
export class RunnerSet {
  private readonly entries = new Map<string, Entry>();
  private desired: ReadonlyMap<string, DesiredPipeline> = new Map();
  private closing = false;

  constructor(
    private readonly factory: RunnerFactory,
    private readonly log: Logger,
    /** Called when what runs changed outside setDesired (a runner exited, a restart began). */
    private readonly onChange: () => void = () => undefined,
    /** Told when a runner fails on its own, never when it was stopped or aborted. */
    private readonly onFailure: (failure: RunnerFailure) => void = () => undefined,
  ) {}

  setDesired(desired: ReadonlyMap<string, DesiredPipeline>): void {
    if (this.closing) return;
    this.desired = desired;
    this.reconcile();
  }

  /** True when this exact pipeline or side (`key`, same fingerprint) has a live runner. */
  isRunning(key: string, fingerprint: string): boolean {
    const entry = this.entries.get(key);
    return entry?.state === 'running' && entry.desired.fingerprint === fingerprint;
  }

  /** True when a runner or a recorded failure of this channel is here. */
  hasChannel(channel: string): boolean {
    return [...this.entries.values()].some((entry) => entry.desired.channel === channel);
  }

  /**
   * Aborts the matching runners (batches in flight dropped) and forgets them, recorded
   * failures included: the pipeline's context is cleared. They leave the desired set too,
   * until the next setDesired. Resolves once every one of them has ended.
   */
  abort(match: (pipeline: DesiredPipeline) => boolean, reason: string): Promise<void> {
    this.desired = new Map([...this.desired].filter(([, want]) => !match(want)));
    const ended: Array<Promise<void>> = [];
    for (const [name, entry] of this.entries) {
      if (!match(entry.desired)) continue;
      if (entry.state === 'failed') {
        this.entries.delete(name);
        continue;
      }
      this.log.warn({ pipeline: name, epoch: entry.desired.epoch, reason }, 'aborting pipeline: batches in flight are dropped');
      entry.state = 'stopping';
      void entry.runner?.abort();
      ended.push(entry.exited ?? Promise.resolve());
    }
    this.onChange();
    return Promise.all(ended).then(() => undefined);
  }

  /** True while `desired` (same epoch and configuration) is recorded here as failed. */
  stillFailed(desired: DesiredPipeline): boolean {
    const entry = this.entries.get(desired.key);
    return entry?.state === 'failed' && entry.desired.epoch === desired.epoch && entry.desired.fingerprint === desired.fingerprint;
  }

  /** Lets a failed pipeline (or side, by its key) start again at the next reconcile (a retry the node decided on). */
  retry(key: string): void {
    if (this.entries.get(key)?.state !== 'failed') return;
    this.entries.delete(key);
    this.reconcile();
    this.onChange();
  }

  /** Keys with a runner or a recorded failure (`select:<name>` for a select side). */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /**
   * One record per pipeline whose load side (or whole) runs here: a pipeline's statistics are
   * its load side's, which commits and knows the lag; the select side's failures reach the
   * arbiter (ROLLBACK, RESTART, WARNING) instead.
   */
  stats(node: string, now = new Date()): PipelineStatsRecord[] {
    return [...this.entries.values()].filter(({ desired }) => desired.role.side !== 'select').map(({ desired, runner, state, error }) => statsRecord({
      pipeline: desired.name,
      node,
      epoch: desired.epoch,
      ...(runner ? { status: runner.status() } : {}),
      ...(state === 'failed' ? { state: 'failed' } : {}),
      ...(error ? { error } : {}),
      now,
    }));
  }

  /** Resolves when no runner is between stop() and its exit. */
  async settled(): Promise<void> {
    for (;;) {
      const pending = [...this.entries.values()].filter((e) => e.state === 'stopping').map((e) => e.exited ?? Promise.resolve());
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Stops every runner cleanly and starts nothing afterwards. */
  async stopAll(): Promise<void> {
    this.closing = true;
    this.desired = new Map();
    this.reconcile();
    await this.settled();
  }

  private reconcile(): void {
    for (const [name, entry] of this.entries) {
      if (entry.state === 'stopping') continue; // its exit reconciles again
      const want = this.desired.get(name);
      if (entry.state === 'failed') {
        if (!want || want.fingerprint !== entry.desired.fingerprint) this.entries.delete(name);
        continue;
      }
      if (!want) this.stop(entry, this.closing ? 'node shutting down' : 'no longer assigned, or the channel is not started');
      else if (want.epoch !== entry.desired.epoch) this.stop(entry, 'new assignment epoch');
      else if (want.fingerprint !== entry.desired.fingerprint) this.stop(entry, 'configuration changed');
    }
    for (const want of this.desired.values()) {
      if (!this.entries.has(want.key)) this.start(want);
    }
  }

  private start(want: DesiredPipeline): void {
    const log = this.log.child({ pipeline: want.name });
    if (!want.pipeline) {
      this.failed({ desired: want, state: 'failed' }, want.error ?? new FerryError('FERRY_ERR_INTERNAL', { detail: 'no resolved pipeline' }));
      return;
    }
    let runner: ManagedRunner;
    try {
      runner = this.factory(want.pipeline, want.role);
    } catch (error) {
      this.failed({ desired: want, state: 'running' }, error);
      return;
    }
    const entry: Entry = { desired: want, state: 'running', runner, startedAt: performance.now() };
    this.entries.set(want.key, entry);
    log.info({ epoch: want.epoch, channel: want.channel, side: want.role.side }, 'pipeline starting on this node');
    entry.exited = runner.run().then(() => this.exited(entry), (error: unknown) => this.exited(entry, error));
  }

  private stop(entry: Entry, reason: string): void {
    this.log.info({ pipeline: entry.desired.name, epoch: entry.desired.epoch, reason }, 'stopping pipeline');
    entry.state = 'stopping';
    entry.runner?.stop();
    this.onChange();
  }

  private exited(entry: Entry, error?: unknown): void {
    if (this.entries.get(entry.desired.key) !== entry) return;
    if (entry.state === 'stopping') {
      this.entries.delete(entry.desired.key);
      this.log.info({ pipeline: entry.desired.name, epoch: entry.desired.epoch }, 'runner stopped');
    } else {
      // It ended on its own: a failure (or, unexpectedly, no error at all); onFailure decides what follows.
      this.failed(entry, error ?? new FerryError('FERRY_ERR_INTERNAL', { detail: 'runner ended without a stop request' }));
    }
    this.reconcile();
    this.onChange();
  }

  private failed(entry: Entry, error: unknown): void {
    const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
    entry.state = 'failed';
    entry.error = { code: failure.code, message: failure.message };
    this.entries.set(entry.desired.key, entry);
    this.log.error({ pipeline: entry.desired.name, epoch: entry.desired.epoch, code: failure.code, err: failure }, 'pipeline failed');
    const report: RunnerFailure = { desired: entry.desired, error: failure, ranMs: entry.startedAt === undefined ? 0 : performance.now() - entry.startedAt };
    if (entry.runner) report.status = entry.runner.status();
    // Not from inside a reconcile: the handler may call back into this set.
    queueMicrotask(() => this.onFailure(report));
  }
}
