import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE } from '../../support/workload.ts';
import { backgroundWorkload, checkpointRows, newestCheckpoint, playLeader, writePermit } from './arbiter-helpers.ts';
import { clusterFixture, occurrences, staysTrue, waitForOutput, holdBatch } from './cluster-fixture.ts';

describe('bin/ferry node: never two writers', () => {
  it('a node frozen past its session timeout commits nothing after its successor took over, and rejoins cleanly', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await writePermit(cluster, 'START');
    await cluster.assign('n1', 1);
    const first = cluster.startNode('n1', ['--arbiter-backoff-ms', '200']);
    await waitForOutput(first, '"msg":"pipeline starting"');
    const workload = await backgroundWorkload(pair.source, pair.schema, 700);
    await expect.poll(async () => (await newestCheckpoint(cluster))?.seq ?? 0, { timeout: 120_000 }).toBeGreaterThan(3);

    // Freeze n1 with a batch open on the target (the hardest case): the test locks the row the
    // next source change updates, waits until n1's statement waits on it, freezes n1, and lets
    // the statement finish; n1's transaction then sits open, holding the fence row's lock.
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (7001, 'held', 1, NULL, NOW(6))`);
    const held = await holdBatch(pair);
    // Only a statement stuck on the lock runs this long; the workload's take milliseconds.
    await expect.poll(async () => (await held.stuck(500)).length, { timeout: 120_000 }).toBeGreaterThan(0);

    first.child.kill('SIGSTOP');
    let resumed = false;
    try {
      await held.release();
      // Its session expires (--session-timeout-ms 4000); the test, as the leader, moves the work.
      await expect.poll(() => cluster.admin.exists(zkPaths.node('n1')), { timeout: 120_000, interval: 250 }).toBeNull();
      const second = cluster.startNode('n2', ['--cache-dir', join(cluster.cacheDir, 'n2'), '--arbiter-backoff-ms', '200']);
      playLeader(cluster, () => 'n2', 1);
      await cluster.assign('n2', 2);
      // n1's open batch holds the fence row until MariaDB kills it (20 s idle in a transaction).
      await expect.poll(async () => (await newestCheckpoint(cluster))?.epoch, { timeout: 120_000, interval: 250 }).toBeGreaterThanOrEqual(2);
      await waitForOutput(second, '"msg":"pipeline starting"');
      const epochOneRows = (await checkpointRows(cluster)).filter((row) => row.endsWith(':1'));

      first.child.kill('SIGCONT');
      resumed = true;
      await expect.poll(() => occurrences(first, 'node n1 registered'), { timeout: 120_000 }).toBe(2);
      expect(first.output()).toContain('"msg":"ZooKeeper session in doubt: aborting every pipeline, nothing commits until it is confirmed"');
      // n1 never writes again: rows it committed under epoch 1 can only be overwritten by n2.
      await staysTrue(async () => (await checkpointRows(cluster)).filter((row) => row.endsWith(':1')).every((row) => epochOneRows.includes(row)), 3_000);
      await workload.stop();
      await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
      const last = await newestCheckpoint(cluster);
      expect(last!.epoch).toBe((await cluster.assignment())!.epoch);
      expect(await cluster.assignment()).toMatchObject({ node: 'n2' });
      // The old node follows the assignments: it runs nothing and stays registered.
      expect(occurrences(first, '"msg":"pipeline starting"')).toBe(1);
      expect(await cluster.nodeRecord('n1')).toMatchObject({ state: 'up' });
    } finally {
      if (!resumed) first.child.kill('SIGCONT');
    }
  });
});
