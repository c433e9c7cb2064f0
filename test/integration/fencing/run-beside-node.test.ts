import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { writePermit } from '../node-cluster/arbiter-helpers.ts';
import { clusterFixture, type ClusterFixture } from '../node-cluster/cluster-fixture.ts';

async function fenceOwner(cluster: ClusterFixture): Promise<string> {
  const [rows] = await cluster.pair.target.connection.query<RowDataPacket[]>('SELECT owner FROM _ferry.fences WHERE pipeline = ?', [cluster.pipeline]).catch(() => [[] as RowDataPacket[]]);
  return rows[0] ? String(rows[0].owner) : '';
}

describe('bin/ferry run beside a cluster node of the same pipeline', () => {
  it('the node takes the pipeline from a run (which exits FERRY_ERR_FENCED), and a later run is refused', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    const run = startFerry(pair.runArgs());
    await expect.poll(() => fenceOwner(cluster), { timeout: 60_000, interval: 200 }).toMatch(/^run@/);

    await writePermit(cluster, 'START');
    await cluster.assign('n1', 1);
    cluster.startNode('n1');
    await expect.poll(() => fenceOwner(cluster), { timeout: 120_000, interval: 200 }).toMatch(/^node:n1@/);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 51 });
    await expect.poll(() => run.child.exitCode, { timeout: 120_000, interval: 200 }).not.toBeNull();
    expect(run.output()).toContain('FERRY_ERR_FENCED');

    const late = startFerry(pair.runArgs());
    await expect.poll(() => late.child.exitCode, { timeout: 120_000, interval: 200 }).not.toBeNull();
    expect(late.child.exitCode).not.toBe(0);
    expect(late.output()).toContain('FERRY_ERR_FENCED');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 52 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, 120_000);
    expect(await fenceOwner(cluster)).toMatch(/^node:n1@/);
  }, 400_000);
});
