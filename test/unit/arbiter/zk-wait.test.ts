import { describe, expect, it } from 'vitest';
import { waitOnZk } from '../../../shared/cluster/arbiter/zk-wait.ts';
import type { Watcher } from '../../../shared/zk/zk-client.ts';

/** The wait the arbiter uses for acks and placement, driven by fake watches: no ZooKeeper. */

const fire = (watcher: Watcher | undefined) => watcher?.({ type: 'data-changed', path: '/x' });

describe('waitOnZk', () => {
  it('re-checks when a watch fires, long before the poll', async () => {
    let ready = false;
    const armed: (Watcher | undefined)[] = [];
    let checks = 0;
    // The poll comes after the deadline: only the watch can end the wait in time.
    const waiting = waitOnZk(async (watch) => {
      checks += 1;
      armed.push(watch('a'));
      return Promise.resolve(ready);
    }, { timeoutMs: 60_000, pollMs: 600_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    ready = true;
    fire(armed[0]);
    expect(await waiting).toBe(true);
    expect(checks).toBe(2);
  });

  it('arms one watch per key until it fires', async () => {
    const given: (Watcher | undefined)[] = [];
    await waitOnZk(async (watch) => {
      given.push(watch('a'));
      return Promise.resolve(given.length >= 3);
    }, { timeoutMs: 5_000, pollMs: 1 });
    expect(given[0]).toBeTypeOf('function');
    expect(given.slice(1)).toEqual([undefined, undefined]); // the first is still armed
  });

  it('re-arms a key after its watch fired', async () => {
    const given: (Watcher | undefined)[] = [];
    await waitOnZk(async (watch) => {
      const watcher = watch('a');
      given.push(watcher);
      if (given.length === 1) fire(watcher); // fired while reading: look again at once
      return Promise.resolve(given.length >= 2);
    }, { timeoutMs: 5_000, pollMs: 5_000 });
    expect(given.map((w) => typeof w)).toEqual(['function', 'function']);
  });

  it('gives up after the timeout, polling meanwhile', async () => {
    let checks = 0;
    const started = performance.now();
    expect(await waitOnZk(async () => {
      checks += 1;
      return Promise.resolve(false);
    }, { timeoutMs: 200, pollMs: 20 })).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(checks).toBeGreaterThan(3);
  });

  it('stops when abandoned', async () => {
    let abandoned = false;
    let checks = 0;
    const waiting = waitOnZk(async () => {
      checks += 1;
      return Promise.resolve(false);
    }, { timeoutMs: 60_000, pollMs: 10, abandon: () => abandoned });
    await new Promise((resolve) => setTimeout(resolve, 30));
    abandoned = true;
    expect(await waiting).toBe(false);
    expect(checks).toBeGreaterThan(0);
  });
});
