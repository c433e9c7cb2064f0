import { describe, expect, it } from 'vitest';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { apiClient, channel, eventually, testManager } from '../manager/manager-support.ts';
import { assignmentWhen, eventWhen, fakeNode, readAssignment, schedulerCluster } from './scheduler-support.ts';

/** The leader's scheduler: placement, the assignment lifecycle, STOP, handover. */

describe('scheduler', () => {
  it('assigns a started channel with epoch 1, marks the ack done, removes the assignment on stop', async () => {
    const connect = await zkChroot();
    const { api, admin } = await schedulerCluster(connect);
    await fakeNode(connect, 'n1');

    await api.post('/api/v1/channels/c1/start');
    const { record: assigned } = await assignmentWhen(admin, 'p1', () => true, 5_000, 'an assignment of p1');
    expect(assigned).toMatchObject({ pipeline: 'p1', channel: 'c1', node: 'n1', epoch: 1, state: 'pending' });

    // The node acks (compare-and-set); the leader sees it and records the assignment as done.
    await admin.setData(zkPaths.assignment('p1'), JSON.stringify({ ...assigned, state: 'acked' }), 0);
    await assignmentWhen(admin, 'p1', (a) => a.state === 'done', 5_000, 'the assignment to be done');
    await api.post('/api/v1/channels/c1/pause');
    const view = await api.get<{ pipelines: { node: string; epoch: number; assignment: string }[] }>('/api/v1/channels/c1');
    expect(view.body.pipelines[0]).toMatchObject({ node: 'n1', epoch: 1, assignment: 'done' });

    await api.post('/api/v1/channels/c1/stop');
    await eventually(async () => ((await readAssignment(admin, 'p1')) === null ? true : undefined), 5_000, 'the assignment to go');

    // Started again, the epoch still grows: the target's fence holds the highest one seen.
    await api.post('/api/v1/channels/c1/start');
    const { record: again } = await assignmentWhen(admin, 'p1', () => true, 5_000, 'a new assignment');
    expect(again.epoch).toBeGreaterThan(1);
  });

  it('warns when a live node does not ack in time, and leaves the assignment where it is', async () => {
    const connect = await zkChroot();
    const { api, admin } = await schedulerCluster(connect, { ackTimeoutMs: 500 });
    await fakeNode(connect, 'n1');
    await fakeNode(connect, 'n2');
    await api.post('/api/v1/channels/c1/start');
    const { record } = await assignmentWhen(admin, 'p1', () => true, 5_000, 'p1 assigned');
    const warning = await eventWhen(admin, (e) => e.type === 'WARNING' && e.pipeline === 'p1', 5_000, 'a WARNING for p1');
    expect(warning).toMatchObject({ channel: 'c1', node: record.node, details: { epoch: record.epoch } });
    expect(await readAssignment(admin, 'p1')).toEqual(record);
  });

  it("spreads pipelines, keeps a 'full' node's work and gives it no more", async () => {
    const connect = await zkChroot();
    const { api, admin } = await schedulerCluster(connect, {}, [{ name: 'p1', source: 'a', target: 'b' }, { name: 'p2', source: 'b', target: 'a' }], { bidirectional: { primary: 'a' } });
    await fakeNode(connect, 'n1');
    const n2 = await fakeNode(connect, 'n2');
    await api.post('/api/v1/channels/c1/start');
    const placed = await eventually(async () => {
      const [p1, p2] = await Promise.all([readAssignment(admin, 'p1'), readAssignment(admin, 'p2')]);
      return p1 && p2 ? [p1, p2] : undefined;
    }, 5_000, 'both pipelines assigned');
    expect(placed.map((a) => a.node).sort()).toEqual(['n1', 'n2']);

    await n2.setState('full');
    expect((await api.post('/api/v1/channels', channel('c2', [{ name: 'q1', source: 'a', target: 'b' }]))).status).toBe(201);
    await api.post('/api/v1/channels/c2/start');
    const { record: q1 } = await assignmentWhen(admin, 'q1', () => true, 5_000, 'q1 assigned');
    expect(q1.node).toBe('n1');
    expect((await readAssignment(admin, placed.find((a) => a.node === 'n2')!.pipeline))?.node).toBe('n2');
  });

  it('keeps assignments untouched when the leader stops and another manager takes over', async () => {
    const connect = await zkChroot();
    const { manager: first, api, admin } = await schedulerCluster(connect);
    await api.post('/api/v1/channels', channel('c2', [{ name: 'q1', source: 'a', target: 'b' }]));
    const second = await testManager(connect);
    await fakeNode(connect, 'n1');
    await fakeNode(connect, 'n2');
    await api.post('/api/v1/channels/c1/start');
    const { record: before } = await assignmentWhen(admin, 'p1', () => true, 5_000, 'an assignment of p1');
    const version = await admin.exists(zkPaths.assignment('p1'));

    expect(first.isLeader()).toBe(true);
    await first.stop();
    await eventually(() => (second.isLeader() ? true : undefined), 5_000, 'the second manager to lead');
    // Proof that the new leader's scheduler has run: it places c2. p1 must not have moved.
    await apiClient(second.url).post('/api/v1/channels/c2/start');
    await assignmentWhen(admin, 'q1', () => true, 5_000, 'an assignment of q1');
    expect(await admin.exists(zkPaths.assignment('p1'))).toBe(version);
    expect(await readAssignment(admin, 'p1')).toEqual(before);
  });
});
