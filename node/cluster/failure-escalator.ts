import { setTimeout as sleep } from 'node:timers/promises';
import type { ArbiterCause, ArbiterOutcome, WarningTarget } from '../../shared/cluster/arbiter/index.ts';
import type { PermitRecord } from '../../shared/cluster/model.ts';
import { describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { RunnerFailure } from './runner-set.ts';

/** The arbiter's actions over the node's live ZooKeeper session; fakes in unit tests. */
export interface ArbiterActions {
  rollback(channel: string, cause: ArbiterCause): Promise<ArbiterOutcome>;
  restart(channel: string, cause: ArbiterCause): Promise<ArbiterOutcome>;
  pause(channel: string, cause: ArbiterCause): Promise<ArbiterOutcome>;
  warn(target: WarningTarget, cause: ArbiterCause): Promise<void>;
  /** The channel's permit as ZooKeeper holds it now. */
  permit(channel: string): Promise<PermitRecord | undefined>;
  /** The pipeline's assignment as ZooKeeper holds it now. */
  assignment(pipeline: string): Promise<{ node: string; epoch: number } | undefined>;
  /** Raises the epoch the pipeline's next assignment must exceed (shared/cluster/epoch-floors.ts). */
  raiseEpochFloor(pipeline: string, epoch: number): Promise<void>;
}

export interface EscalationPolicy {
  /** Back-off between ROLLBACK and RESTART after a first failure; doubles with each consecutive one. @default 1000 */
  backoffMs: number;
  /** @default 60000 */
  maxBackoffMs: number;
  /** RESTARTs in a row before the node pauses the channel and raises a WARNING instead. @default 5 */
  maxRestarts: number;
}

export interface FailureEscalatorDeps {
  nodeId: string;
  log: Logger;
  policy: EscalationPolicy;
  /** Undefined while the node has no live session: it then retries alone, like `ferry run`. */
  arbiter(): ArbiterActions | undefined;
  /** Lets a failed pipeline start again (RunnerSet.retry). */
  retry(pipeline: string): void;
  /** True while this very failure (same assignment and configuration) still stands (RunnerSet.stillFailed). */
  stillFailed(desired: RunnerFailure['desired']): boolean;
}

/** A runner that ran this long without committing was healthy all the same (an idle source). */
const HEALTHY_RUN_MS = 30_000;

/**
 * What follows a runner's failure in a node. FERRY_ERR_FENCED: the pipeline is another
 * node's now; nothing is raised, the assignments decide; unless ZooKeeper still assigns it
 * here at this epoch while the target's fence is at or above it (a rebuilt ZooKeeper, a new
 * chroot: the epoch counter started again low). Then the node records the fence's epoch as
 * the pipeline's epoch floor and raises ROLLBACK and RESTART, which places it again above
 * the fence; if that does not converge, the restart count PAUSEs with a WARNING. Aborted by the node itself (session
 * in doubt): it runs again when allowed. Any other retryable failure (a database or network
 * error): ROLLBACK of the channel, then RESTART after a back-off; after `maxRestarts` in a row
 * without progress, PAUSE and a WARNING, until an operator starts the channel again.
 * Not retryable (configuration, a refused row, DDL): it stays stopped, with a WARNING.
 * At most one action per channel at a time, never awaited by the node's reconcile. A failure
 * that arrives while one is under way (the RESTART placed the pipeline again and it failed
 * at once) is handled when that action ends, if it still stands then: dropping it would
 * leave the pipeline failed with nobody to retry it.
 */
export class FailureEscalator {
  private readonly failures = new Map<string, { channel: string; count: number }>();
  private readonly busy = new Map<string, Promise<void>>();
  /** Failures that arrived while their channel's action was under way, by pipeline. */
  private readonly deferred = new Map<string, RunnerFailure>();
  private readonly closing = new AbortController();

  constructor(private readonly deps: FailureEscalatorDeps) {}

  handle(failure: RunnerFailure): void {
    const { desired, error } = failure;
    const log = this.deps.log.child({ pipeline: desired.name, channel: desired.channel, code: error.code });
    if (error.code === 'FERRY_ERR_FENCED') {
      const fence = Number(error.details.current);
      const arbiter = this.deps.arbiter();
      if (arbiter && fence >= desired.epoch && !this.busy.has(desired.channel)) {
        this.track(desired.channel, this.liftAboveFence(arbiter, failure, fence, log));
        return;
      }
      log.warn({ epoch: desired.epoch, detail: error.message }, 'pipeline fenced: a newer assignment owns it; no ROLLBACK, following the assignments');
      return;
    }
    if (error.code === 'FERRY_ERR_NODE_SESSION_LOST' || error.code === 'FERRY_ERR_PIPELINE_ABORTED') {
      this.deps.retry(desired.key); // held by the session lease until it is confirmed again
      return;
    }
    const arbiter = this.deps.arbiter();
    if (!error.retryable) {
      void arbiter?.warn({ channel: desired.channel, pipeline: desired.name }, this.cause(`${error.code}: ${error.message}`)).catch((e: unknown) => log.warn({ err: e }, 'WARNING not raised'));
      return;
    }
    if (arbiter && this.busy.has(desired.channel)) {
      // Usually a runner the action under way clears anyway. But it may be the runner of the
      // epoch that action's RESTART just placed, failing before the RESTART returned: dropped,
      // nothing would ever retry it (it stays failed until an operator acts). Decided when the
      // action ends (handleDeferred).
      log.info({ epoch: desired.epoch }, 'this node is already acting on the channel: the failure is handled when that ends');
      this.deferred.set(desired.key, failure);
      return;
    }
    // Counted once handled: a failure set aside above is counted when it is replayed.
    const count = this.count(failure);
    if (!arbiter) {
      this.track(desired.channel, this.after(this.delayFor(count), () => this.deps.retry(desired.key)));
      return;
    }
    this.track(desired.channel, this.escalate(arbiter, failure, count, log));
  }

  /** Stops back-offs in progress (node shutdown). */
  close(): void {
    this.closing.abort();
  }

  /** Resolves when no action of this node is under way (tests). */
  async idle(): Promise<void> {
    while (this.busy.size > 0) await Promise.all(this.busy.values());
  }

  /** A fence at or above this node's epoch while ZooKeeper assigns nothing newer: place the pipeline again above it. */
  private async liftAboveFence(arbiter: ArbiterActions, failure: RunnerFailure, fence: number, log: Logger): Promise<void> {
    const { desired } = failure;
    try {
      const assigned = await arbiter.assignment(desired.name);
      if (assigned?.node !== this.deps.nodeId || assigned.epoch !== desired.epoch) {
        log.warn({ epoch: desired.epoch, fence, assigned }, 'pipeline fenced: a newer assignment owns it; no ROLLBACK, following the assignments');
        return;
      }
      await arbiter.raiseEpochFloor(desired.name, fence);
    } catch (problem) {
      if (this.closing.signal.aborted) return;
      log.warn({ detail: describeError(problem) }, 'could not check the assignment or raise the epoch floor; retrying the pipeline after the back-off');
      await this.after(this.delayFor(this.count(failure)), () => this.deps.retry(desired.key));
      return;
    }
    log.warn({ epoch: desired.epoch, fence }, 'target fence at or above the assignment epoch (ZooKeeper rebuilt?): epoch floor raised, placing the pipeline again');
    const reason = `the target's fence of ${desired.name} is at epoch ${fence}, its assignment in ZooKeeper at ${desired.epoch} (ZooKeeper rebuilt or a new chroot?): epoch floor raised to ${fence}, placing it again above`;
    await this.escalate(arbiter, failure, this.count(failure), log, reason);
  }

  private async escalate(arbiter: ArbiterActions, failure: RunnerFailure, count: number, log: Logger, why?: string): Promise<void> {
    const { desired, error } = failure;
    const { channel } = desired;
    const cause = this.cause(why ?? `${error.code}: ${error.message}`);
    try {
      // Paused or stopped meanwhile (an operator, another node's ROLLBACK): theirs stands.
      if ((await arbiter.permit(channel))?.status !== 'START') return;
      const rolledBack = await arbiter.rollback(channel, cause);
      if (count > this.deps.policy.maxRestarts) {
        const reason = `${desired.name} failed ${count} times in a row, the last with ${error.code}: ${why ?? error.message}; paused after ${this.deps.policy.maxRestarts} restarts`;
        await arbiter.pause(channel, this.cause(reason));
        await arbiter.warn({ channel, pipeline: desired.name }, this.cause(reason));
        for (const [name, entry] of this.failures) if (entry.channel === channel) this.failures.delete(name);
        return;
      }
      const delayMs = this.delayFor(count);
      log.warn({ rollbackId: rolledBack.rollbackId, failures: count, delayMs }, 'ROLLBACK done; RESTART after the back-off');
      await sleep(delayMs, undefined, { signal: this.closing.signal });
      if ((await arbiter.permit(channel))?.rollbackId !== rolledBack.rollbackId) {
        log.info('channel changed during the back-off: no RESTART');
        return;
      }
      await arbiter.restart(channel, cause);
    } catch (problem) {
      if (this.closing.signal.aborted) return;
      // Lock timeout, ZooKeeper trouble: fall back to a plain retry here (the fence keeps it exact).
      log.warn({ detail: describeError(problem) }, 'arbiter action failed; retrying the pipeline on this node after the back-off');
      await this.after(this.delayFor(count), () => this.deps.retry(desired.key));
    }
  }

  /**
   * Consecutive failures of the pipeline: a runner that made progress or ran long enough starts
   * the count over. A split pipeline's select side commits nothing itself: its progress is
   * batches its load side acknowledged. Without that, link faults less than HEALTHY_RUN_MS
   * apart added up on the select node and PAUSEd a channel that replicated between them.
   */
  private count({ desired, status, ranMs }: RunnerFailure): number {
    const progressed = (status?.transactionsApplied ?? 0) > 0 || (status?.batchesAcknowledged ?? 0) > 0;
    const healthy = progressed || ranMs >= HEALTHY_RUN_MS;
    const count = healthy ? 1 : (this.failures.get(desired.key)?.count ?? 0) + 1;
    this.failures.set(desired.key, { channel: desired.channel, count });
    return count;
  }

  private delayFor(count: number): number {
    const { backoffMs, maxBackoffMs } = this.deps.policy;
    return Math.min(backoffMs * 2 ** Math.max(0, count - 1), maxBackoffMs);
  }

  private cause(reason: string): ArbiterCause {
    return { by: `node:${this.deps.nodeId}`, reason };
  }

  private async after(ms: number, then: () => void): Promise<void> {
    const slept = await sleep(ms, true, { signal: this.closing.signal }).catch(() => false);
    if (slept) then();
  }

  private track(channel: string, work: Promise<void>): void {
    const done = work.finally(() => {
      if (this.busy.get(channel) !== done) return;
      this.busy.delete(channel);
      this.handleDeferred(channel);
    });
    this.busy.set(channel, done);
  }

  /** The channel's action ended: failures that came in meanwhile and still stand are handled now. */
  private handleDeferred(channel: string): void {
    for (const [name, failure] of this.deferred) {
      if (failure.desired.channel !== channel) continue;
      this.deferred.delete(name);
      if (!this.closing.signal.aborted && this.deps.stillFailed(failure.desired)) this.handle(failure);
    }
  }
}
