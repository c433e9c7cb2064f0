import { describe, expect, it } from 'vitest';
import type { AssignmentRecord, NodeRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, eventually, testManager } from './manager-support.ts';

/** The leader's simple scheduler against real ZooKeeper, with fake nodes registered by the test. */

async function registerNode(zk: ZkClient, id: string, extra: Partial<NodeRecord> = {}): Promise<void> {
  const record: NodeRecord = { id, dc: 'dc1', address: `127.0.0.1:${7000 + id.length}`, capacity: { pipelines: 10 }, state: 'up', version: 'test', startedAt: new Date().toISOString(), ...extra };
  await zk.mkdirp(zkPaths.nodes);
  await zk.create(zkPaths.node(id), JSON.stringify(record), 'ephemeral');
}

async function assignment(zk: ZkClient, pipeline: string): Promise<AssignmentRecord | null> {
  try {
    return JSON.parse((await zk.getData(zkPaths.assignment(pipeline))).data.toString()) as AssignmentRecord;
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return null;
    throw error;
  }
}

async function setupChannel(connect: string, pipelines = [{ name: 'p1', source: 'a', target: 'b' }]) {
  const manager = await testManager(connect);
  const api = apiClient(manager.url);
  await api.post('/api/v1/datasources', dataSource('a', 3306));
  await api.post('/api/v1/datasources', dataSource('b', 3307));
  expect((await api.post('/api/v1/channels', channel('c1', pipelines))).status).toBe(201);
  return { manager, api };
}

describe('simple scheduler', () => {
  it('assigns a started channel to a live node with epoch 1, and removes the assignment on stop', async () => {
    const connect = await zkChroot();
    const fake = await zkClient(connect);
    const { api } = await setupChannel(connect);
    await registerNode(fake, 'n1');

    await api.post('/api/v1/channels/c1/start');
    const assigned = await eventually(async () => (await assignment(fake, 'p1')) ?? undefined, 5_000, 'an assignment of p1');
    expect(assigned).toMatchObject({ pipeline: 'p1', channel: 'c1', node: 'n1', epoch: 1, state: 'pending' });

    // The node acks; PAUSE keeps the assignment as it is.
    await fake.setData(zkPaths.assignment('p1'), JSON.stringify({ ...assigned, state: 'acked' }));
    await api.post('/api/v1/channels/c1/pause');
    const view = await api.get<{ pipelines: { node: string; epoch: number; assignment: string }[] }>('/api/v1/channels/c1');
    expect(view.body.pipelines[0]).toMatchObject({ node: 'n1', epoch: 1, assignment: 'acked' });

    await api.post('/api/v1/channels/c1/stop');
    await eventually(async () => ((await assignment(fake, 'p1')) === null ? true : undefined), 5_000, 'the assignment to go');

    // Started again, the epoch still grows: the target's fence holds the highest one seen.
    await api.post('/api/v1/channels/c1/start');
    const again = await eventually(async () => (await assignment(fake, 'p1')) ?? undefined, 5_000, 'a new assignment');
    expect(again.epoch).toBeGreaterThan(1);
  });

  it('spreads pipelines and moves them off a dead or leaving node', async () => {
    const connect = await zkChroot();
    const nodes = await zkClient(connect);
    const { api } = await setupChannel(connect, [{ name: 'p1', source: 'a', target: 'b' }, { name: 'p2', source: 'b', target: 'a' }]);
    await registerNode(nodes, 'n1');
    const other = await zkClient(connect);
    await registerNode(other, 'n2');
    await api.post('/api/v1/channels/c1/start');
    const placed = await eventually(async () => {
      const [p1, p2] = await Promise.all([assignment(nodes, 'p1'), assignment(nodes, 'p2')]);
      return p1 && p2 ? [p1, p2] : undefined;
    }, 5_000, 'both pipelines assigned');
    expect(placed.map((a) => a.node).sort()).toEqual(['n1', 'n2']);

    // n2's process dies (its session closes): its pipeline moves to n1 with a higher epoch.
    const onN2 = placed.find((a) => a.node === 'n2')!;
    await other.close();
    const moved = await eventually(async () => {
      const now = await assignment(nodes, onN2.pipeline);
      return now?.node === 'n1' ? now : undefined;
    }, 5_000, 'the pipeline to move to n1');
    expect(moved.epoch).toBeGreaterThan(onN2.epoch);

    // A leaving node hands its work over at once; a 'full' one keeps it but takes no more.
    await registerNode(nodes, 'n3', { dc: 'dc2' });
    await nodes.setData(zkPaths.node('n1'), JSON.stringify({ id: 'n1', dc: 'dc1', address: 'x:1', capacity: { pipelines: 10 }, state: 'leaving', version: 't', startedAt: '' }));
    await eventually(async () => {
      const [p1, p2] = await Promise.all([assignment(nodes, 'p1'), assignment(nodes, 'p2')]);
      return p1?.node === 'n3' && p2?.node === 'n3' ? true : undefined;
    }, 5_000, 'both pipelines on n3');
  });

  it('keeps assignments untouched when the leader stops and another manager takes over', async () => {
    const connect = await zkChroot();
    const fake = await zkClient(connect);
    const { manager: first, api } = await setupChannel(connect);
    await api.post('/api/v1/channels', channel('c2', [{ name: 'q1', source: 'a', target: 'b' }]));
    const second = await testManager(connect);
    await registerNode(fake, 'n1');
    await registerNode(fake, 'n2');
    await api.post('/api/v1/channels/c1/start');
    const before = await eventually(async () => (await assignment(fake, 'p1')) ?? undefined, 5_000, 'an assignment of p1');
    const version = await fake.exists(zkPaths.assignment('p1'));

    expect(first.isLeader()).toBe(true);
    await first.stop();
    await eventually(() => (second.isLeader() ? true : undefined), 5_000, 'the second manager to lead');
    // Proof that the new leader's scheduler has run: it places c2. p1 must not have moved.
    await apiClient(second.url).post('/api/v1/channels/c2/start');
    await eventually(async () => (await assignment(fake, 'q1')) ?? undefined, 5_000, 'an assignment of q1');
    expect(await fake.exists(zkPaths.assignment('p1'))).toBe(version);
    expect(await assignment(fake, 'p1')).toEqual(before);
  });
});
