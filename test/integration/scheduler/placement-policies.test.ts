import { describe, expect, it } from 'vitest';
import { zkChroot } from '../../support/zookeeper.ts';
import { assignmentWhen, fakeNode, schedulerCluster } from './scheduler-support.ts';

/** The placement policies as the leader applies them (data source a is in dc1, b in dc2). */

describe('placement policies', () => {
  it('sticky: a pipeline moving again goes back to the node it ran on before', async () => {
    const connect = await zkChroot();
    const { api, admin } = await schedulerCluster(connect, { placementPolicy: 'sticky' });
    const c = await fakeNode(connect, 'c');
    await api.post('/api/v1/channels/c1/start');
    await assignmentWhen(admin, 'p1', (x) => x.node === 'c', 5_000, 'p1 on c');
    const a = await fakeNode(connect, 'a');
    await fakeNode(connect, 'b');

    // c leaves: p1 goes to the least loaded node (a, lowest id) and remembers c.
    await c.setState('leaving');
    const { record: onA } = await assignmentWhen(admin, 'p1', (x) => x.node === 'a', 5_000, 'p1 on a');
    expect(onA.previousNode).toBe('c');
    await c.vanish();
    await fakeNode(connect, 'c'); // c restarted
    // a leaves: least-loaded would pick b; sticky goes back to c.
    await a.setState('leaving');
    const { record: back } = await assignmentWhen(admin, 'p1', (x) => x.node !== 'a', 5_000, 'p1 to leave a');
    expect(back).toMatchObject({ node: 'c', previousNode: 'a' });
  });

  it("dc-aware: the target's datacenter first, then the source's", async () => {
    const connect = await zkChroot();
    const { api, admin } = await schedulerCluster(connect, { placementPolicy: 'dc-aware' }, [{ name: 'p1', source: 'a', target: 'b' }, { name: 'p2', source: 'b', target: 'a' }], { bidirectional: { primary: 'a' } });
    await fakeNode(connect, 'n1', { dc: 'dc1' });
    const n2 = await fakeNode(connect, 'n2', { dc: 'dc2' });
    await fakeNode(connect, 'n3', { dc: 'dc3' });
    await api.post('/api/v1/channels/c1/start');
    await assignmentWhen(admin, 'p1', (x) => x.node === 'n2', 5_000, 'p1 (a -> b) in dc2');
    await assignmentWhen(admin, 'p2', (x) => x.node === 'n1', 5_000, 'p2 (b -> a) in dc1');
    // No node left in the target's dc2: the source's dc1, never dc3.
    await n2.setState('leaving');
    await assignmentWhen(admin, 'p1', (x) => x.node === 'n1', 5_000, 'p1 in dc1');
  });
});
