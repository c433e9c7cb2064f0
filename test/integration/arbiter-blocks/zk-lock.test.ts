import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../services/index.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { acquireLock, withLock, type LockHandle } from '../../../shared/zk/zk-lock.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';

/** Real ZooKeeper, one chroot per test, several clients (sessions) contending for one lock. */

const LOCK = zkPaths.channelLock('c1');
const WAIT_MS = 60_000; // generous: two cores, shared with other test runs

async function clients(count: number): Promise<{ connect: string; zks: ZkClient[] }> {
  const connect = await zkChroot();
  return { connect, zks: await Promise.all(Array.from({ length: count }, () => zkClient(connect))) };
}

const contenders = async (zk: ZkClient) => (await zk.getChildren(LOCK)).filter((name) => name.startsWith('lock-'));
const untilContenders = async (zk: ZkClient, count: number) => expect(await waitFor(async () => (await contenders(zk)).length === count, WAIT_MS)).toBe(true);

describe('ZooKeeper lock', () => {
  it('lets a second client in only after the first releases', async () => {
    const { zks: [a, b] } = await clients(2);
    const first = await acquireLock(a!, LOCK, { owner: 'manager:m1', timeoutMs: WAIT_MS });
    const steps: string[] = [];
    const second = acquireLock(b!, LOCK, { owner: 'node:n1', timeoutMs: WAIT_MS }).then((lock) => {
      steps.push('second acquired');
      return lock;
    });
    await untilContenders(a!, 2);
    expect(steps).toEqual([]);
    steps.push('first releases');
    await first.release();
    await first.release(); // idempotent
    const held = await second;
    expect(steps).toEqual(['first releases', 'second acquired']);
    expect(held.lost).toBe(false);
    expect(JSON.parse((await a!.getData(held.path)).data.toString())).toMatchObject({ owner: 'node:n1' });
    await held.release();
    expect(await contenders(a!)).toEqual([]);
  });

  it('hands the lock out in FIFO order', async () => {
    const { zks } = await clients(4);
    const holder = await acquireLock(zks[0]!, LOCK, { owner: 'first', timeoutMs: WAIT_MS });
    const order: string[] = [];
    const waiting: Promise<void>[] = [];
    for (const [index, name] of ['second', 'third', 'fourth'].entries()) {
      waiting.push(withLock(zks[index + 1]!, LOCK, { owner: name, timeoutMs: WAIT_MS }, () => Promise.resolve(void order.push(name))));
      await untilContenders(zks[0]!, index + 2); // queued in this order
    }
    await holder.release();
    await Promise.all(waiting);
    expect(order).toEqual(['second', 'third', 'fourth']);
  });

  it('times out with FERRY_ERR_LOCK_TIMEOUT naming the holder, leaving no stray node', async () => {
    const { zks: [a, b] } = await clients(2);
    const holder = await acquireLock(a!, LOCK, { owner: 'manager:m1', timeoutMs: WAIT_MS });
    const error: unknown = await acquireLock(b!, LOCK, { owner: 'node:n2', timeoutMs: 500 }).catch((e: unknown) => e);
    expect(isFerryError(error, 'FERRY_ERR_LOCK_TIMEOUT')).toBe(true);
    expect(error).toMatchObject({ http: 409, retryable: true, details: { lock: LOCK, owner: 'node:n2', holder: 'manager:m1', timeoutMs: 500 } });
    expect(await contenders(a!)).toEqual([holder.path.slice(LOCK.length + 1)]);
  });

  it('gives up when aborted, leaving no stray node', async () => {
    const { zks: [a, b] } = await clients(2);
    const holder = await acquireLock(a!, LOCK, { owner: 'holder', timeoutMs: WAIT_MS });
    const controller = new AbortController();
    const waiting = acquireLock(b!, LOCK, { owner: 'waiter', timeoutMs: WAIT_MS, signal: controller.signal }).catch((e: unknown) => e);
    await untilContenders(a!, 2);
    controller.abort();
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    expect(await contenders(a!)).toEqual([holder.path.slice(LOCK.length + 1)]);
  });

  it('passes the lock on when the holder\'s session closes, and the old handle reports it lost', async () => {
    const { connect, zks: [b] } = await clients(1);
    // The holder's session outlives every wait below: only the clean close can free the lock.
    const a = await zkClient(connect, 60_000);
    const holder = await acquireLock(a, LOCK, { owner: 'dies', timeoutMs: WAIT_MS });
    const reasons: string[] = [];
    holder.onLost((reason) => reasons.push(reason));
    const next = acquireLock(b!, LOCK, { owner: 'next', timeoutMs: WAIT_MS / 2 });
    await untilContenders(b!, 2);
    await a.close();
    const handle = await next;
    // Either the deletion's watch arrives before the socket closes, or the handle stops
    // trusting the lock once the session timeout passed without ZooKeeper.
    expect(await waitFor(() => holder.lost, a.sessionTimeoutMs + WAIT_MS)).toBe(true);
    expect(reasons).toHaveLength(1);
    expect(['lock node deleted', 'cut off from ZooKeeper longer than the session timeout']).toContain(reasons[0]);
    await handle.release();
  });

  it('reports the lock lost when its node is deleted under it', async () => {
    const { zks: [a, admin] } = await clients(2);
    const holder = await acquireLock(a!, LOCK, { owner: 'holder', timeoutMs: WAIT_MS });
    const reasons: string[] = [];
    holder.onLost((reason) => reasons.push(reason));
    await admin!.remove(holder.path);
    expect(await waitFor(() => holder.lost, WAIT_MS)).toBe(true);
    expect(reasons).toEqual(['lock node deleted']);
    await holder.release(); // still fine
  });

  it('excludes mutually: 10 concurrent read-then-write increments without CAS end at 10', async () => {
    const { zks } = await clients(3);
    const counter = '/counter';
    await zks[0]!.create(counter, '0');
    let inside = 0;
    let mostInside = 0;
    const increment = async (zk: ZkClient, lock: LockHandle) => {
      inside += 1;
      mostInside = Math.max(mostInside, inside);
      const value = Number((await zk.getData(counter)).data.toString());
      await new Promise((resolve) => setImmediate(resolve)); // widen the window a lost update needs
      expect(lock.lost).toBe(false);
      await zk.setData(counter, String(value + 1)); // blind write: only the lock keeps it right
      inside -= 1;
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => {
      const zk = zks[i % zks.length]!;
      return withLock(zk, LOCK, { owner: `worker-${i}`, timeoutMs: WAIT_MS }, (lock) => increment(zk, lock));
    }));
    expect((await zks[0]!.getData(counter)).data.toString()).toBe('10');
    expect(mostInside).toBe(1);
    expect(await contenders(zks[0]!)).toEqual([]);
  });

  it('releases through withLock even when the work throws', async () => {
    const { zks: [a] } = await clients(1);
    await expect(withLock(a!, LOCK, { owner: 'x', timeoutMs: WAIT_MS }, () => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    expect(await contenders(a!)).toEqual([]);
  });
});
