import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../shared/cluster/event-log.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';

/** The event log on real ZooKeeper, each test in its own (bare) chroot. */

describe('event log', () => {
  it('appends events with growing ids and lists them newest first', async () => {
    const zk = await zkClient(await zkChroot());
    const log = new EventLog(zk);
    const first = await log.append({ type: 'ROLLBACK', channel: 'c1', pipeline: 'p1', node: 'n1', by: 'node:n1', reason: 'target unreachable', details: { code: 'FERRY_ERR_X' } });
    const second = await log.append({ type: 'RESTART', channel: 'c1', by: 'arbiter', reason: 'node n2 died' });
    expect(first).toMatchObject({ type: 'ROLLBACK', channel: 'c1', pipeline: 'p1', node: 'n1', by: 'node:n1', reason: 'target unreachable', details: { code: 'FERRY_ERR_X' } });
    expect(Number(second.id)).toBeGreaterThan(Number(first.id));
    expect(Number.isNaN(Date.parse(first.at))).toBe(false);
    expect(await log.list()).toEqual([second, first]);
    const stored = await zk.getChildren(zkPaths.events);
    expect(stored).toHaveLength(2);
  });

  it('filters by channel, type and since, and honours the limit', async () => {
    const zk = await zkClient(await zkChroot());
    const log = new EventLog(zk);
    const appended = [];
    for (let i = 0; i < 8; i += 1) {
      appended.push(await log.append({ type: i % 2 === 0 ? 'PAUSE' : 'START', channel: i < 4 ? 'c1' : 'c2', by: 'api:ops', reason: `step ${i}` }));
    }
    const reasons = (events: { reason: string }[]) => events.map((event) => event.reason);
    expect(reasons(await log.list({ channel: 'c1' }))).toEqual(['step 3', 'step 2', 'step 1', 'step 0']);
    expect(reasons(await log.list({ type: 'START' }))).toEqual(['step 7', 'step 5', 'step 3', 'step 1']);
    expect(reasons(await log.list({ type: 'PAUSE', channel: 'c2' }))).toEqual(['step 6', 'step 4']);
    expect(reasons(await log.list({ since: appended[5]!.id }))).toEqual(['step 7', 'step 6']);
    expect(reasons(await log.list({ limit: 3 }))).toEqual(['step 7', 'step 6', 'step 5']);
    expect(await log.list({ channel: 'nope' })).toEqual([]);
  });

  it('keeps one order for several writers at once', async () => {
    const connect = await zkChroot();
    const logs = [new EventLog(await zkClient(connect)), new EventLog(await zkClient(connect))];
    const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => logs[i % 2]!.append({ type: 'PLACEMENT', by: `manager:m${i % 2}`, reason: `r${i}` })));
    expect(new Set(appended.map((event) => event.id)).size).toBe(20);
    const listed = await logs[0]!.list();
    expect(listed).toHaveLength(20);
    expect(listed.map((event) => Number(event.id))).toEqual([...listed.map((event) => Number(event.id))].sort((a, b) => b - a));
  });

  it('prunes the oldest once there are 10% more than maxEvents', async () => {
    const zk = await zkClient(await zkChroot());
    const log = new EventLog(zk, { maxEvents: 10 });
    const appended = [];
    for (let i = 0; i < 11; i += 1) appended.push(await log.append({ type: 'NODE_UP', node: `n${i}`, by: 'manager:m1', reason: 'registered' }));
    expect(await zk.getChildren(zkPaths.events)).toHaveLength(11); // within the 10% slack
    appended.push(await log.append({ type: 'NODE_UP', node: 'n11', by: 'manager:m1', reason: 'registered' }));
    const kept = await log.list();
    expect(kept.map((event) => event.id)).toEqual(appended.slice(2).reverse().map((event) => event.id));
    expect(await zk.getChildren(zkPaths.events)).toHaveLength(10);
  });
});
