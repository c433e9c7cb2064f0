import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_FILE } from '../../../node/cluster/index.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { clusterFixture, unusedPort, waitForOutput } from './cluster-fixture.ts';

describe('bin/ferry node: the local cache', () => {
  it('after kill -9, starts without ZooKeeper from its cache and resumes from the target checkpoint', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await cluster.setPermit('START');
    await cluster.assign('n1', 1);
    const first = cluster.startNode('n1');
    await waitForOutput(first, '"msg":"pipeline starting"');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 60, seed: 41 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await expect.poll(() => existsSync(join(cluster.cacheDir, CACHE_FILE)), { timeout: 120_000 }).toBe(true);
    await first.kill('SIGKILL');

    // Written while no node runs: must arrive after the restart, exactly once.
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 60, seed: 42 });
    const deadZk = `127.0.0.1:${await unusedPort()}`;
    const second = cluster.startNode('n1', [], deadZk);
    await waitForOutput(second, 'running from the local cache');
    await waitForOutput(second, '"msg":"pipeline starting"');
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 60, seed: 43 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect(second.output()).toContain('"resumed":true');
    expect(second.output()).not.toContain('node n1 registered');
  });

  it('with no ZooKeeper and no cache, keeps retrying with FERRY_ERR_NODE_NO_CONFIG and never exits', async () => {
    const cluster = await clusterFixture();
    const node = cluster.startNode('lonely', [], `127.0.0.1:${await unusedPort()}`);
    await waitForOutput(node, 'FERRY_ERR_NODE_NO_CONFIG');
    await expect.poll(() => node.output().split('FERRY_ERR_NODE_NO_CONFIG').length - 1, { timeout: 120_000 }).toBeGreaterThan(1);
    expect(node.child.exitCode).toBeNull();
    node.child.kill('SIGTERM');
    expect(await node.exited).toBe(0);
  });
});
