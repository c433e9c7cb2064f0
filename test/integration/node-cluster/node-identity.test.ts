import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { zkClient } from '../../support/zookeeper.ts';
import { clusterFixture, waitForOutput } from './cluster-fixture.ts';

describe('bin/ferry node: one live process per node id', () => {
  it("waits for a predecessor's session to end before registering; a duplicate gives up with FERRY_ERR_NODE_ID_TAKEN", async () => {
    const cluster = await clusterFixture();
    // A crashed predecessor whose session has not expired yet: its znode, held by another session.
    const predecessor = await zkClient(cluster.zk);
    const stale: NodeRecord = { id: 'n1', dc: 'dc1', address: 'old:1', capacity: { pipelines: 8 }, state: 'up', version: '0.0.0', startedAt: new Date().toISOString() };
    await predecessor.create(zkPaths.node('n1'), JSON.stringify(stale), 'ephemeral');

    const restarted = cluster.startNode('n1', ['--session-timeout-ms', '20000']);
    await waitForOutput(restarted, 'waiting for it to expire');
    expect(restarted.output()).not.toContain('node n1 registered');
    await predecessor.close();
    await waitForOutput(restarted, 'node n1 registered');
    expect(await cluster.nodeRecord('n1')).toMatchObject({ address: expect.not.stringMatching(/^old:1$/) as string, state: 'up' });

    // A second live process with the same id waits its own session timeout (4 s + 2 s), then exits 1.
    const duplicate = cluster.startNode('n1', ['--address', 'dup:1']);
    expect(await duplicate.exited).toBe(1);
    expect(duplicate.output()).toContain('FERRY_ERR_NODE_ID_TAKEN');
    expect(duplicate.output()).not.toContain('node n1 registered');
    expect(restarted.child.exitCode).toBeNull();
  });
});
