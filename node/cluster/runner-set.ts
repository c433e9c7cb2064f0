import type { PipelineStatsRecord } from '../../shared/cluster/model.ts';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { PipelineStatus } from '../pipeline/progress.ts';
import type { DesiredPipeline } from './cluster-view.ts';
import { statsRecord } from './stats-record.ts';

/** The part of PipelineRunner the node drives; unit tests pass a fake. */
export interface ManagedRunner {
  /** Resolves when stopped on request; rejects when a failure stopped it. */
  run(): Promise<void>;
  /** Clean stop: the batch in flight commits. */
  stop(): void;
  status(): PipelineStatus;
}

export type RunnerFactory = (pipeline: RuntimePipeline) => ManagedRunner;

interface Entry {
  desired: DesiredPipeline;
  state: 'running' | 'stopping' | 'failed';
  runner?: ManagedRunner;
  error?: { code: string; message: string };
  exited?: Promise<void>;
}

/**
 * The pipelines running in this node, kept equal to the desired set: start what is missing,
 * stop what is no longer wanted, restart what changed (new epoch or new resolved
 * configuration), leave alone what is equal.
 *
 * A restart waits for the old runner to finish its batch in flight before the new one starts,
 * so two runners of one pipeline never overlap in this process (with the same epoch the
 * target's fence could not tell them apart). A runner that failed stays stopped, its error
 * kept for stats, until its fingerprint changes or it leaves the desired set (a PAUSE/START
 * of the channel therefore retries it). Issue #6 (ROLLBACK/RESTART) extends this class.
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
  ) {}

  setDesired(desired: ReadonlyMap<string, DesiredPipeline>): void {
    if (this.closing) return;
    this.desired = desired;
    this.reconcile();
  }

  /** True when this exact pipeline (same fingerprint) has a live runner. */
  isRunning(name: string, fingerprint: string): boolean {
    const entry = this.entries.get(name);
    return entry?.state === 'running' && entry.desired.fingerprint === fingerprint;
  }

  /** Names with a runner or a recorded failure. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  stats(node: string, now = new Date()): PipelineStatsRecord[] {
    return [...this.entries.values()].map(({ desired, runner, state, error }) => statsRecord({
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
      if (!this.entries.has(want.name)) this.start(want);
    }
  }

  private start(want: DesiredPipeline): void {
    const log = this.log.child({ pipeline: want.name });
    if (!want.pipeline) {
      const error = want.error ?? new FerryError('FERRY_ERR_INTERNAL', { detail: 'no resolved pipeline' });
      log.error({ code: error.code, err: error, epoch: want.epoch }, 'assignment cannot run');
      this.entries.set(want.name, { desired: want, state: 'failed', error: { code: error.code, message: error.message } });
      return;
    }
    let runner: ManagedRunner;
    try {
      runner = this.factory(want.pipeline);
    } catch (error) {
      this.failed({ desired: want, state: 'running' }, error);
      return;
    }
    const entry: Entry = { desired: want, state: 'running', runner };
    this.entries.set(want.name, entry);
    log.info({ epoch: want.epoch, channel: want.channel }, 'pipeline starting on this node');
    entry.exited = runner.run().then(() => this.exited(entry), (error: unknown) => this.exited(entry, error));
  }

  private stop(entry: Entry, reason: string): void {
    this.log.info({ pipeline: entry.desired.name, epoch: entry.desired.epoch, reason }, 'stopping pipeline');
    entry.state = 'stopping';
    entry.runner?.stop();
    this.onChange();
  }

  private exited(entry: Entry, error?: unknown): void {
    if (this.entries.get(entry.desired.name) !== entry) return;
    if (entry.state === 'stopping') {
      this.entries.delete(entry.desired.name);
      this.log.info({ pipeline: entry.desired.name, epoch: entry.desired.epoch }, 'runner stopped');
    } else {
      // It ended on its own: a failure no retry cures (or, unexpectedly, no error at all).
      this.failed(entry, error ?? new FerryError('FERRY_ERR_INTERNAL', { detail: 'runner ended without a stop request' }));
    }
    this.reconcile();
    this.onChange();
  }

  private failed(entry: Entry, error: unknown): void {
    const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
    entry.state = 'failed';
    entry.error = { code: failure.code, message: failure.message };
    this.entries.set(entry.desired.name, entry);
    this.log.error({ pipeline: entry.desired.name, epoch: entry.desired.epoch, code: failure.code, err: failure }, 'pipeline failed: stays stopped until its assignment or configuration changes');
  }
}
