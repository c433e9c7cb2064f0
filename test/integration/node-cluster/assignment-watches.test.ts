import { describe, expect, it, onTestFinished } from 'vitest';
import { AssignmentWatcher } from '../../../node/cluster/assignment-watcher.ts';
import { ConfigStore } from '../../../shared/cluster/config-store.ts';
import type { AssignmentRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';

const record = (epoch: number): AssignmentRecord => ({ pipeline: 'p1', channel: 'c1', node: 'n1', epoch, state: 'pending', at: new Date().toISOString() });

/**
 * The node's watches against a real ZooKeeper, with no periodic re-read at all (the node's
 * safety reconcile is left out): only a watch can tell the node about a change, and each
 * path holds one watcher however often the node reads a quiet cluster.
 */
describe('AssignmentWatcher on ZooKeeper', () => {
  it('is told each change by one watch per path, with no periodic re-read', async () => {
    const zk = await zkClient(await zkChroot());
    onTestFinished(() => zk.close());
    const store = await ConfigStore.open(zk);
    await zk.create(zkPaths.assignment('p1'), JSON.stringify(record(1)));
    let changes = 0;
    const watcher = new AssignmentWatcher(zk, store, () => (changes += 1), silentLogger());

    // A quiet cluster read many times (what the safety reconcile does every few seconds).
    for (let i = 0; i < 50; i++) await watcher.read();
    expect(changes).toBe(0);

    // One configuration edit: told once, not once per earlier read.
    await store.edit(() => []);
    await expect.poll(() => changes, { timeout: 30_000 }).toBeGreaterThan(0);
    await watcher.read();
    // A marker change after it, so the count below is final once the marker is seen.
    await zk.setData(zkPaths.assignment('p1'), JSON.stringify(record(2)));
    await expect.poll(() => changes, { timeout: 30_000 }).toBeGreaterThan(1);
    expect(changes).toBe(2);

    // A new pending assignment right after the read: seen through the re-armed watch alone.
    expect((await watcher.read()).assignments.p1?.record.epoch).toBe(2);
    await zk.setData(zkPaths.assignment('p1'), JSON.stringify(record(3)));
    await expect.poll(() => changes, { timeout: 30_000 }).toBe(3);
    expect((await watcher.read()).assignments.p1?.record.epoch).toBe(3);
  });
});
