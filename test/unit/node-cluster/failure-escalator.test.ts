import { describe, expect, it } from 'vitest';
import { desiredPipelines } from '../../../node/cluster/cluster-view.ts';
import { FailureEscalator, type ArbiterActions } from '../../../node/cluster/failure-escalator.ts';
import type { RunnerFailure } from '../../../node/cluster/runner-set.ts';
import type { ArbiterOutcome } from '../../../shared/cluster/arbiter/index.ts';
import type { PermitRecord } from '../../../shared/cluster/model.ts';
import { FerryError, type ErrorCode } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { permit, view } from './fixtures.ts';

/** An arbiter that records what the node asks of it and keeps the permit as the real one would. */
function fakeArbiter(options: { rollbackFails?: boolean; assigned?: { node: string; epoch: number } } = {}) {
  const calls: string[] = [];
  let current: PermitRecord | undefined = permit('START');
  let ids = 0;
  let placements = 0;
  const outcome = (action: ArbiterOutcome['action'], rollbackId?: string): ArbiterOutcome =>
    ({ action, channel: 'c1', cleared: ['n1'], unresponsive: [], ...(rollbackId ? { rollbackId } : {}), event: { id: String(ids), type: action, by: 'node:n1', reason: '', at: '' } });
  const arbiter: ArbiterActions = {
    rollback: (channel, cause) => {
      calls.push(`ROLLBACK ${channel} ${cause.by} ${cause.reason.split(':')[0]}`);
      if (options.rollbackFails) return Promise.reject(new FerryError('FERRY_ERR_LOCK_TIMEOUT', { lock: channel, owner: 'n1', timeoutMs: 1, holder: 'm1' }));
      current = { ...permit('PAUSE'), rollbackId: `r${++ids}` };
      return Promise.resolve(outcome('ROLLBACK', current.rollbackId));
    },
    restart: (channel) => {
      calls.push(`RESTART ${channel}`);
      current = permit('START');
      placements += 1;
      return Promise.resolve({ ...outcome('RESTART', `r${++ids}`), placed: { p1: { node: 'n1', epoch: 1 + placements } } });
    },
    pause: (channel) => {
      calls.push(`PAUSE ${channel}`);
      current = permit('PAUSE');
      return Promise.resolve(outcome('PAUSE'));
    },
    warn: (target, cause) => {
      calls.push(`WARNING ${target.channel ?? ''} ${cause.reason.split(':')[0]}`);
      return Promise.resolve();
    },
    permit: () => Promise.resolve(current),
    // By default a newer assignment (n2, the fence's epoch 9) owns the pipeline.
    assignment: () => Promise.resolve(options.assigned ?? { node: 'n2', epoch: 9 }),
    raiseEpochFloor: (pipeline, epoch) => {
      calls.push(`FLOOR ${pipeline} ${epoch}`);
      return Promise.resolve();
    },
  };
  return { arbiter, calls, setPermit: (next: PermitRecord) => (current = next) };
}

const desired = desiredPipelines(view(), 'n1').get('p1')!;

function failure(code: ErrorCode, progress = false): RunnerFailure {
  const error = new FerryError(code, { detail: 'connection lost', pipeline: 'p1', current: 9, mine: 1, node: 'n1', silentMs: 1, limitMs: 1, kind: 'write', table: 't', key: '{}' });
  return { desired, error, ranMs: 5, status: { state: 'failed', lagMs: 0, applyDelayMs: 0, rowsPerSecond: 0, rowsApplied: progress ? 5 : 0, transactionsApplied: progress ? 1 : 0 } };
}

/** `stillFailed`: whether a failure that came in during an action still stands when it ends. */
function escalator(arbiter: ArbiterActions | undefined, maxRestarts = 2, stillFailed: (d: RunnerFailure['desired']) => boolean = () => false) {
  const retried: string[] = [];
  const subject = new FailureEscalator({ nodeId: 'n1', log: silentLogger(), policy: { backoffMs: 5, maxBackoffMs: 20, maxRestarts }, arbiter: () => arbiter, retry: (name) => retried.push(name), stillFailed });
  return { subject, retried };
}

describe('FailureEscalator', () => {
  it('answers a retryable failure with ROLLBACK, then RESTART after the back-off', async () => {
    const { arbiter, calls } = fakeArbiter();
    const { subject } = escalator(arbiter);
    subject.handle(failure('FERRY_ERR_TARGET_WRITE'));
    // A second failure of the same channel meanwhile raises nothing more.
    subject.handle(failure('FERRY_ERR_TARGET_WRITE'));
    await subject.idle();
    expect(calls).toEqual(['ROLLBACK c1 node:n1 FERRY_ERR_TARGET_WRITE', 'RESTART c1']);
  });

  it('handles a failure that came in during its RESTART once that ends, if it still stands (the new placement failed at once)', async () => {
    const { arbiter, calls } = fakeArbiter();
    const standing = new Set<number>();
    const { subject } = escalator(arbiter, 5, (d) => standing.has(d.epoch));
    const restart = arbiter.restart.bind(arbiter);
    const again = { ...failure('FERRY_ERR_TARGET_UNREACHABLE'), desired: { ...desired, epoch: desired.epoch + 1 } };
    arbiter.restart = async (channel, cause) => {
      const outcome = await restart(channel, cause);
      if (standing.size === 0) {
        // While the RESTART waits for placement, the pipeline runs under the new epoch and fails.
        standing.add(again.desired.epoch);
        subject.handle(again);
      }
      return outcome;
    };
    subject.handle(failure('FERRY_ERR_TARGET_UNREACHABLE'));
    await subject.idle();
    expect(calls).toEqual(['ROLLBACK c1 node:n1 FERRY_ERR_TARGET_UNREACHABLE', 'RESTART c1', 'ROLLBACK c1 node:n1 FERRY_ERR_TARGET_UNREACHABLE', 'RESTART c1']);
  });

  it('pauses the channel with a WARNING after maxRestarts failures in a row; progress starts the count over', async () => {
    const { arbiter, calls } = fakeArbiter();
    const { subject } = escalator(arbiter, 2);
    for (const progress of [false, false, true, false]) {
      subject.handle(failure('FERRY_ERR_TARGET_WRITE', progress));
      await subject.idle();
    }
    expect(calls.filter((call) => call.startsWith('RESTART'))).toHaveLength(4);
    expect(calls).not.toContain('PAUSE c1');
    subject.handle(failure('FERRY_ERR_TARGET_WRITE'));
    await subject.idle();
    expect(calls.slice(-3)).toEqual(['ROLLBACK c1 node:n1 FERRY_ERR_TARGET_WRITE', 'PAUSE c1', 'WARNING c1 p1 failed 3 times in a row, the last with FERRY_ERR_TARGET_WRITE']);
  });

  it('counts a split pipeline\'s select side as progressing once its load side acknowledged batches (chaos seed 9: WAN faults PAUSEd a replicating channel)', async () => {
    const { arbiter, calls } = fakeArbiter();
    const { subject } = escalator(arbiter, 2);
    // A select side commits nothing itself: transactionsApplied stays 0 however much it sent.
    const selectFailure = (acknowledged: number): RunnerFailure => {
      const base = failure('FERRY_ERR_PIPE_SILENT');
      return { ...base, status: { ...base.status!, batchesAcknowledged: acknowledged } };
    };
    for (const acknowledged of [40, 0, 120, 0, 75]) {
      subject.handle(selectFailure(acknowledged));
      await subject.idle();
    }
    expect(calls).not.toContain('PAUSE c1');
    expect(calls.filter((call) => call.startsWith('RESTART'))).toHaveLength(5);
    // Without acknowledged batches the failures add up as any others do.
    for (let i = 0; i < 2; i++) {
      subject.handle(selectFailure(0));
      await subject.idle();
    }
    expect(calls).toContain('PAUSE c1');
  });

  it('raises nothing for a fenced pipeline, and lets one the node aborted itself run again', async () => {
    const { arbiter, calls } = fakeArbiter();
    const { subject, retried } = escalator(arbiter);
    subject.handle(failure('FERRY_ERR_FENCED'));
    subject.handle(failure('FERRY_ERR_NODE_SESSION_LOST'));
    await subject.idle();
    expect(calls).toEqual([]);
    expect(retried).toEqual(['p1']);
  });

  it('a fence above the epoch ZooKeeper still assigns here (ZooKeeper rebuilt): raises the epoch floor, then ROLLBACK and RESTART', async () => {
    const { arbiter, calls } = fakeArbiter({ assigned: { node: 'n1', epoch: 1 } });
    const { subject } = escalator(arbiter);
    subject.handle(failure('FERRY_ERR_FENCED'));
    await subject.idle();
    expect(calls).toEqual(['FLOOR p1 9', 'ROLLBACK c1 node:n1 the target\'s fence of p1 is at epoch 9, its assignment in ZooKeeper at 1 (ZooKeeper rebuilt or a new chroot?)', 'RESTART c1']);
  });

  it('only warns about a failure no retry cures', async () => {
    const { arbiter, calls } = fakeArbiter();
    const { subject, retried } = escalator(arbiter);
    subject.handle(failure('FERRY_ERR_APPLY_FAILED'));
    await subject.idle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toEqual(['WARNING c1 FERRY_ERR_APPLY_FAILED']);
    expect(retried).toEqual([]);
  });

  it('leaves a channel alone that is not started, and skips the RESTART when someone else changed it', async () => {
    const { arbiter, calls, setPermit } = fakeArbiter();
    const { subject } = escalator(arbiter);
    setPermit(permit('PAUSE'));
    subject.handle(failure('FERRY_ERR_TARGET_WRITE'));
    await subject.idle();
    expect(calls).toEqual([]);
    setPermit(permit('START'));
    const rollback = arbiter.rollback.bind(arbiter);
    arbiter.rollback = async (channel, cause) => {
      const outcome = await rollback(channel, cause);
      setPermit(permit('STOP')); // an operator stops the channel during the back-off
      return outcome;
    };
    subject.handle(failure('FERRY_ERR_TARGET_WRITE'));
    await subject.idle();
    expect(calls).toEqual(['ROLLBACK c1 node:n1 FERRY_ERR_TARGET_WRITE']);
  });

  it('retries on its own without a ZooKeeper session, or when the arbiter action fails', async () => {
    const alone = escalator(undefined);
    alone.subject.handle(failure('FERRY_ERR_TARGET_WRITE'));
    await alone.subject.idle();
    expect(alone.retried).toEqual(['p1']);
    const { arbiter } = fakeArbiter({ rollbackFails: true });
    const failing = escalator(arbiter);
    failing.subject.handle(failure('FERRY_ERR_TARGET_WRITE'));
    await failing.subject.idle();
    expect(failing.retried).toEqual(['p1']);
  });
});
