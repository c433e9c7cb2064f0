import { describe, expect, it } from 'vitest';
import { checksum, expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { ackedRollback, newestCheckpoint, writePermit } from './arbiter-helpers.ts';
import { clusterFixture, occurrences, staysTrue, waitForOutput, holdBatch } from './cluster-fixture.ts';

describe('bin/ferry node: ROLLBACK (a permit PAUSE with a new rollbackId)', () => {
  it('aborts the channel\'s pipeline, acknowledges that id, and resumes exactly on START', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await writePermit(cluster, 'START');
    await cluster.assign('n1', 1);
    const node = cluster.startNode('n1');
    await waitForOutput(node, '"msg":"pipeline starting"');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 61 });

    await writePermit(cluster, 'PAUSE', 'rb-1');
    await expect.poll(() => ackedRollback(cluster, 'n1'), { timeout: 120_000 }).toBe('rb-1');
    // Logged before the acknowledgement was written, but the pipe may deliver them later.
    await waitForOutput(node, '"msg":"pipeline aborted: batches in flight roll back, nothing more commits"');
    await waitForOutput(node, '"msg":"runner stopped"');
    expect(occurrences(node, '"msg":"runner stopped"')).toBe(1);
    // The same id seen again (a reconcile, a watch) is not acted on twice. (The ack's log
    // line follows its ZooKeeper write: wait for it, or the count below may start at 0.)
    await waitForOutput(node, '"msg":"ROLLBACK acknowledged"');
    await writePermit(cluster, 'PAUSE', 'rb-1');
    await staysTrue(() => Promise.resolve(occurrences(node, '"msg":"ROLLBACK acknowledged"') === 1), 1_000);

    await writePermit(cluster, 'START');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 62 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect(node.child.exitCode).toBeNull();
  });

  it('drops the batch in flight: it never commits, and START applies it exactly once', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await writePermit(cluster, 'START');
    await cluster.assign('n1', 1);
    const node = cluster.startNode('n1');
    await waitForOutput(node, '"msg":"pipeline starting"');
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (7001, 'held', 1, NULL, NOW(6))`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    // Hold a batch in flight: the test locks the target row the next source change updates.
    const held = await holdBatch(pair);
    await expect.poll(async () => (await held.stuck()).length, { timeout: 120_000 }).toBeGreaterThan(0);
    const before = await newestCheckpoint(cluster);
    const rowsBefore = await checksum(pair.target.connection, pair.schema, 'items');

    await writePermit(cluster, 'PAUSE', 'rb-2');
    await expect.poll(() => ackedRollback(cluster, 'n1'), { timeout: 120_000 }).toBe('rb-2');
    // The lock goes: the aborted batch's statement may now run on the server, but never commits.
    await held.release();
    await staysTrue(async () => JSON.stringify(await newestCheckpoint(cluster)) === JSON.stringify(before) && (await checksum(pair.target.connection, pair.schema, 'items')) === rowsBefore, 3_000);

    await writePermit(cluster, 'START');
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect((await newestCheckpoint(cluster))!.seq).toBeGreaterThan(before!.seq);
  });
});
