import { describe, expect, it } from 'vitest';
import { checksum, expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { clusterFixture, occurrences, rowCount, staysTrue, waitForOutput } from './cluster-fixture.ts';

describe('bin/ferry node: the channel permit and the assignment decide what runs', () => {
  it('PAUSE stops applying, START resumes from the checkpoint, deleting the assignment stops it', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await cluster.setPermit('START');
    await cluster.assign('n1', 1);
    const node = cluster.startNode('n1');
    await waitForOutput(node, '"msg":"pipeline starting"');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 21 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    await cluster.setPermit('PAUSE');
    await expect.poll(() => occurrences(node, '"msg":"runner stopped"'), { timeout: 120_000 }).toBeGreaterThan(0);
    // Paused is not unassigned: the assignment stays as it was.
    expect(await cluster.assignment()).toMatchObject({ node: 'n1', state: 'acked' });
    const before = await checksum(pair.target.connection, pair.schema, 'items');
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (9001, 'paused', 1, NULL, NOW(6))`);
    await staysTrue(async () => (await checksum(pair.target.connection, pair.schema, 'items')) === before, 2_000);

    const starts = occurrences(node, '"msg":"pipeline starting"');
    await cluster.setPermit('START');
    await expect.poll(() => occurrences(node, '"msg":"pipeline starting"'), { timeout: 120_000 }).toBeGreaterThan(starts);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 22 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    const stops = occurrences(node, '"msg":"runner stopped"');
    await cluster.unassign();
    await expect.poll(() => occurrences(node, '"msg":"runner stopped"'), { timeout: 120_000 }).toBeGreaterThan(stops);
    const count = await rowCount(pair.target, pair.schema, 'items');
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (9002, 'unassigned', 1, NULL, NOW(6))`);
    await staysTrue(async () => (await rowCount(pair.target, pair.schema, 'items')) === count, 2_000);
    expect(node.child.exitCode).toBeNull();
  });
});
