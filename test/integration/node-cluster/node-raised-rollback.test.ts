import { describe, expect, it } from 'vitest';
import { encode } from '../../../shared/cluster/config-store.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { backgroundWorkload, channelEvents, playLeader, readPermit, writePermit } from './arbiter-helpers.ts';
import { clusterFixture, unusedPort, waitForOutput, type ClusterFixture, holdBatch } from './cluster-fixture.ts';

/** Points the target data source at `port` (a configuration edit, as the API makes it). */
async function moveTarget(cluster: ClusterFixture, port: number): Promise<void> {
  await cluster.store.edit((snapshot) => {
    const dst = snapshot.dataSources.dst!.value;
    return [{ op: 'set', path: zkPaths.dataSource('dst'), data: encode({ ...dst, master: { ...dst.master, port } }) }];
  });
}

describe('bin/ferry node: a failing pipeline raises the arbiter', () => {
  it('target unreachable: ROLLBACK, RESTART after a back-off, then PAUSE with a WARNING; the operator\'s START resumes exactly', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await writePermit(cluster, 'START');
    await cluster.assign('n1', 1);
    playLeader(cluster, () => 'n1', 1);
    const node = cluster.startNode('n1', ['--arbiter-backoff-ms', '200', '--max-restarts', '2']);
    await waitForOutput(node, '"msg":"pipeline starting"');
    const workload = await backgroundWorkload(pair.source, pair.schema, 900);

    await moveTarget(cluster, await unusedPort());
    const byNode = async (type: string) => (await channelEvents(cluster)).filter((event) => event.type === type && event.by === 'node:n1');
    await expect.poll(async () => (await byNode('WARNING')).length, { timeout: 180_000, interval: 250 }).toBe(1);
    const rollbacks = await byNode('ROLLBACK');
    expect(rollbacks).toHaveLength(3);
    expect(rollbacks[0]!.reason).toMatch(/^FERRY_ERR_TARGET_UNREACHABLE: /);
    expect(await byNode('RESTART')).toHaveLength(2);
    expect(await byNode('PAUSE')).toHaveLength(1);
    expect((await byNode('WARNING'))[0]!.reason).toContain('failed 3 times in a row');
    expect((await readPermit(cluster)).status).toBe('PAUSE');
    expect((await cluster.assignment())!.epoch).toBe(3);

    // The operator repairs the data source and starts the channel again.
    await moveTarget(cluster, pair.target.instance.port);
    await writePermit(cluster, 'START');
    await workload.stop();
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect(node.child.exitCode).toBeNull();
  });

  it('a batch whose target connection dies raises ROLLBACK, then RESTART under a new epoch; the tables end identical', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await writePermit(cluster, 'START');
    await cluster.assign('n1', 1);
    playLeader(cluster, () => 'n1', 1);
    const node = cluster.startNode('n1', ['--arbiter-backoff-ms', '200']);
    await waitForOutput(node, '"msg":"pipeline starting"');
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (7001, 'held', 1, NULL, NOW(6))`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    // Hold a batch on a target lock, then kill its connection: a database error mid-batch.
    const held = await holdBatch(pair);
    await expect.poll(async () => (await held.stuck(300)).length, { timeout: 120_000 }).toBeGreaterThan(0);
    for (const thread of await held.stuck(300)) await pair.target.connection.query(`KILL ${thread}`);
    await held.release();

    const byNode = async (type: string) => (await channelEvents(cluster)).filter((event) => event.type === type && event.by === 'node:n1');
    await expect.poll(async () => (await byNode('RESTART')).length, { timeout: 120_000, interval: 250 }).toBe(1);
    expect((await byNode('ROLLBACK'))[0]!.reason).toMatch(/^FERRY_ERR_TARGET_WRITE: /);
    await expect.poll(async () => (await cluster.assignment())?.state, { timeout: 120_000 }).toBe('acked');
    expect((await cluster.assignment())!.epoch).toBe(2);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 60, seed: 95 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
  });
});
