import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionLease, type LeaseSession } from '../../../node/cluster/session-lease.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { SessionState } from '../../../shared/zk/zk-client.ts';

/** A session whose probes answer, fail or hang as the test says; timeout 3000 ms, so the lease is 2000 ms. */
function fakeSession() {
  let mode: 'answer' | 'fail' | 'hang' = 'answer';
  const listeners = new Set<(state: SessionState) => void>();
  const session: LeaseSession = {
    sessionTimeoutMs: 3_000,
    onState: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    probe: () => (mode === 'answer' ? Promise.resolve() : mode === 'fail' ? Promise.reject(new Error('connection loss')) : new Promise(() => undefined)),
  };
  return { session, set: (next: typeof mode) => (mode = next), emit: (state: SessionState) => listeners.forEach((listener) => listener(state)) };
}

function lease() {
  const events: string[] = [];
  const subject = new SessionLease({ nodeId: 'n1', log: silentLogger(), onLost: () => events.push('lost'), onRegained: () => events.push('regained'), now: () => Date.now() });
  return { subject, events };
}

describe('SessionLease (never two writers)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('does not apply before the first session: a node started from its cache commits', () => {
    const { subject } = lease();
    expect(subject.holding).toBe(false);
    expect(() => subject.assertCommitAllowed()).not.toThrow();
  });

  it('holds while ZooKeeper answers, and aborts once nothing answered for 2/3 of the session timeout', async () => {
    const { subject, events } = lease();
    const zk = fakeSession();
    subject.begin(zk.session);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events).toEqual([]);
    zk.set('hang');
    zk.emit('disconnected');
    await vi.advanceTimersByTimeAsync(1_900); // the last answered probe was sent at 10 000
    expect(events).toEqual([]);
    expect(() => subject.assertCommitAllowed()).not.toThrow();
    await vi.advanceTimersByTimeAsync(700);
    expect(events).toEqual(['lost']);
    expect(subject.holding).toBe(true);
    expect(() => subject.assertCommitAllowed()).toThrow(expect.objectContaining({ code: 'FERRY_ERR_NODE_SESSION_LOST' }) as Error);
    subject.close();
  });

  it('a reconnect within the lease aborts nothing', async () => {
    const { subject, events } = lease();
    const zk = fakeSession();
    subject.begin(zk.session);
    zk.set('fail');
    zk.emit('disconnected');
    await vi.advanceTimersByTimeAsync(1_200);
    zk.set('answer');
    zk.emit('connected');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events).toEqual([]);
    expect(subject.holding).toBe(false);
    subject.close();
  });

  it('aborts at once on expiry, and runs again once a new session begins', async () => {
    const { subject, events } = lease();
    const first = fakeSession();
    subject.begin(first.session);
    first.emit('expired');
    expect(events).toEqual(['lost']);
    subject.end();
    expect(events).toEqual(['lost']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(subject.holding).toBe(true);
    subject.begin(fakeSession().session);
    expect(events).toEqual(['lost', 'regained']);
    expect(subject.holding).toBe(false);
    subject.close();
  });

  it('regains the same session when ZooKeeper answers again (a split healed before expiry)', async () => {
    const { subject, events } = lease();
    const zk = fakeSession();
    subject.begin(zk.session);
    zk.set('fail');
    await vi.advanceTimersByTimeAsync(2_600);
    expect(events).toEqual(['lost']);
    zk.set('answer');
    await vi.advanceTimersByTimeAsync(600);
    expect(events).toEqual(['lost', 'regained']);
    subject.close();
  });
});
