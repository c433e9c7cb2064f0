import { describe, expect, it } from 'vitest';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { clusterFixture, waitForOutput, holdBatch } from './cluster-fixture.ts';

describe('bin/ferry node: registration, assignment, shutdown', () => {
  it('registers, runs and acks its assignment, and keeps the tables identical under writes', async () => {
    const cluster = await clusterFixture();
    await cluster.pair.onBoth(ITEMS_TABLE);
    const node = cluster.startNode('n1', ['--capacity', '1', '--address', '10.0.0.1:7000']);
    await waitForOutput(node, 'node n1 registered');
    expect(await cluster.nodeRecord('n1')).toMatchObject({ id: 'n1', dc: 'dc1', address: '10.0.0.1:7000', capacity: { pipelines: 1 }, state: 'up', version: expect.any(String) as string, startedAt: expect.any(String) as string });

    await cluster.setPermit('START');
    await cluster.assign('n1', 1);
    await expect.poll(async () => (await cluster.assignment())?.state, { timeout: 120_000 }).toBe('acked');
    expect(await cluster.assignment()).toMatchObject({ node: 'n1', epoch: 1 });
    // At its capacity the node tells the scheduler to place new work elsewhere.
    await expect.poll(async () => (await cluster.nodeRecord('n1'))?.state, { timeout: 120_000 }).toBe('full');
    await waitForOutput(node, '"msg":"pipeline starting"');

    await runMixedWorkload(cluster.pair.source.connection, cluster.pair.schema, { transactions: 150, seed: 5 });
    await expectTablesConverge(cluster.pair.source.connection, cluster.pair.target.connection, cluster.pair.schema, 'items');
  });

  it("on SIGTERM says 'leaving' first, lets the batch in flight commit, leaves ZooKeeper and exits 0", async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await cluster.setPermit('START');
    await cluster.assign('n1', 1);
    const node = cluster.startNode('n1');
    await waitForOutput(node, '"msg":"pipeline starting"');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 30, seed: 8 });
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (7001, 'held', 1, NULL, NOW(6))`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    // Hold a batch in flight: the test locks the target row the next source change updates.
    const held = await holdBatch(pair);
    // The batch is in flight once its statement waits on the target.
    await expect.poll(async () => (await held.stuck()).length, { timeout: 120_000 }).toBeGreaterThan(0);

    node.child.kill('SIGTERM');
    await expect.poll(async () => (await cluster.nodeRecord('n1'))?.state, { timeout: 120_000 }).toBe('leaving');
    await held.release();
    expect(await node.exited).toBe(0);
    expect(await cluster.admin.exists(zkPaths.node('n1'))).toBeNull();
    expect(node.output()).toContain('"msg":"node stopped"');
    // The batch that was in flight at the signal committed.
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
  });

  it('after its session expired (a long pause), registers again with a new session and keeps replicating', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await cluster.setPermit('START');
    await cluster.assign('n1', 1);
    const node = cluster.startNode('n1');
    await waitForOutput(node, '"msg":"pipeline starting"');
    const owner = (await cluster.admin.getData(zkPaths.node('n1'))).ephemeralOwner;

    node.child.kill('SIGSTOP');
    try {
      await expect.poll(() => cluster.admin.exists(zkPaths.node('n1')), { timeout: 120_000, interval: 250 }).toBeNull();
    } finally {
      node.child.kill('SIGCONT');
    }
    const newOwner = async () => (await cluster.admin.getData(zkPaths.node('n1')).catch(() => undefined))?.ephemeralOwner;
    await expect.poll(async () => [undefined, owner].includes(await newOwner()), { timeout: 120_000 }).toBe(false);
    // Logged after the znode was created: the pipe may deliver the line a little later.
    await expect.poll(() => node.output().split('node n1 registered').length - 1, { timeout: 120_000 }).toBe(2);

    // Watches are armed on the new session: a PAUSE still reaches the node.
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 30, seed: 9 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await cluster.setPermit('PAUSE');
    await waitForOutput(node, '"msg":"runner stopped"');
  });
});
