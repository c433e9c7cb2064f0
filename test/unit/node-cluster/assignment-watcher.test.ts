import { describe, expect, it } from 'vitest';
import { AssignmentWatcher } from '../../../node/cluster/assignment-watcher.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import type { ConfigStore } from '../../../shared/cluster/config-store.ts';
import { FakeZk } from './fake-zk.ts';
import { assignment, permit, snapshot } from './fixtures.ts';

/** A watcher over an in-memory ZooKeeper holding channel c1 (START) and p1 assigned to n1. */
function subject() {
  const zk = new FakeZk();
  zk.set(zkPaths.configEpoch, '');
  zk.set(zkPaths.assignments, '');
  zk.set(zkPaths.selectAssignments, '');
  zk.set(zkPaths.permits, '');
  zk.set(zkPaths.permit('c1'), JSON.stringify(permit('START')));
  zk.set(zkPaths.assignment('p1'), JSON.stringify(assignment('p1', 'n1', 1)));
  // ConfigStore.epoch is the version of /config/epoch, read with exists().
  const store = {
    epoch: async (watcher?: () => void) => (await zk.exists(zkPaths.configEpoch, watcher && (() => watcher()))) ?? 0,
    snapshot: () => Promise.resolve(snapshot()),
  };
  let changes = 0;
  const watcher = new AssignmentWatcher(zk as unknown as ZkClient, store as unknown as ConfigStore, () => (changes += 1), silentLogger());
  return { zk, watcher, changes: () => changes };
}

describe('AssignmentWatcher', () => {
  it('keeps watching an assignment that changed between its read and the read\'s answer', async () => {
    const { zk, watcher, changes } = subject();
    const path = zkPaths.assignment('p1');
    // The change lands after the read registered its watch: the watch fires at once.
    zk.onNextRead(path, () => zk.set(path, JSON.stringify(assignment('p1', 'n1', 2))));
    await watcher.read();
    expect(changes()).toBe(1);
    // The node reads again (what onChange asks for) and sees the new epoch...
    expect((await watcher.read()).assignments.p1?.record.epoch).toBe(2);
    // ...and a later change (RESTART's new pending assignment) is told at once, not at the next safety reconcile.
    zk.set(path, JSON.stringify(assignment('p1', 'n1', 3)));
    expect(changes()).toBe(2);
    expect((await watcher.read()).assignments.p1?.record.epoch).toBe(3);
  });

  it('keeps one watcher per path over many reads of a quiet cluster, and re-arms only what fired', async () => {
    const { zk, watcher, changes } = subject();
    for (let i = 0; i < 200; i++) await watcher.read();
    expect(zk.watcherCount(zkPaths.configEpoch)).toBe(1);
    expect(zk.watcherCount(zkPaths.assignments)).toBe(1);
    expect(zk.watcherCount(zkPaths.assignment('p1'))).toBe(1);
    expect(zk.watcherCount(zkPaths.permits)).toBe(1);
    expect(zk.watcherCount(zkPaths.permit('c1'))).toBe(1);
    expect(zk.watcherCount(zkPaths.selectAssignments)).toBe(1);
    expect(zk.watcherCount()).toBe(6);

    // A configuration edit fires the epoch watch once; the next read arms it again, once.
    zk.set(zkPaths.configEpoch, '');
    expect(changes()).toBe(1);
    expect(zk.watcherCount(zkPaths.configEpoch)).toBe(0);
    for (let i = 0; i < 50; i++) await watcher.read();
    expect(zk.watcherCount()).toBe(6);
  });

  it('reads select sides of split pipelines, watches them, and leaves out a malformed one', async () => {
    const { zk, watcher, changes } = subject();
    const select = { ...assignment('p2', 'n1', 5), pipe: { secret: 'sealed', loadNode: 'n2', address: '10.0.0.2:7400', tls: false, loadEpoch: 4 } };
    zk.set(zkPaths.selectAssignment('p2'), JSON.stringify(select));
    zk.set(zkPaths.selectAssignment('p3'), JSON.stringify(assignment('p3', 'n1', 6)));
    const view = await watcher.read();
    expect(view.selectAssignments).toEqual({ p2: { record: select, version: expect.any(Number) as number } });
    zk.set(zkPaths.selectAssignment('p2'), JSON.stringify({ ...select, epoch: 7 }));
    expect(changes()).toBe(1);
    expect((await watcher.read()).selectAssignments.p2?.record.epoch).toBe(7);
  });
});
