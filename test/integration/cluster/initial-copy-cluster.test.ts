import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { PipelineView } from '../../../manager/index.ts';
import { testCluster, type TestCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { unusedPort } from '../../support/waits.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * Issue #15 in a cluster: a channel whose pipeline has `initialCopy: true` copies the rows the
 * source already holds while the source takes writes, then streams, and the tables end
 * identical: once whole on one node, once split across two datacenters (the copied rows cross
 * the node-to-node pipe). While the copy runs the channel view shows its figures (`copy`); a
 * copy may end between two polls, so what was seen is checked only when something was seen,
 * and the end state always. All real: `bin/ferry manager` and `bin/ferry node` processes,
 * ZooKeeper, MariaDB.
 */

const ROWS = 30_000;
/** Copy chunks are five batches: 50 rows, so the copy takes hundreds of target transactions (seconds). */
const BATCH_ROWS = 10;

type CopyView = NonNullable<PipelineView['copy']>;

async function filledSource(cluster: TestCluster): Promise<void> {
  const { pair } = cluster;
  await pair.onBoth(ITEMS_TABLE);
  const rows = Array.from({ length: ROWS }, (_, i) => [i, `item-${i}`, i % 100, i % 3 === 0 ? null : `note ${i}`, `2026-12-07 10:00:00.${String(i).padStart(6, '0')}`]);
  for (let i = 0; i < rows.length; i += 5000) await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ?`, [rows.slice(i, i + 5000)]);
  // TABLE_ROWS, the copy's estimate, as InnoDB's statistics give it after a bulk load.
  await pair.source.connection.query(`ANALYZE TABLE \`${pair.schema}\`.items`);
}

/** Rounds of the mixed workload over the copied keys and beyond, until stopped. */
function liveLoad(cluster: TestCluster, seed: number): { rounds: () => number; stop: () => Promise<void> } {
  const { pair } = cluster;
  let stopping = false;
  let rounds = 0;
  const running = (async () => {
    while (!stopping) {
      await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 10, seed: seed + rounds * 10, keySpace: ROWS + 500 });
      rounds++;
    }
  })();
  // A test that fails midway must not leave writes running against a schema being dropped.
  onTestFinished(async () => {
    stopping = true;
    await running.catch(() => undefined);
  });
  return {
    rounds: () => rounds,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
}

/** The copy state committed with the pipeline's newest checkpoint: undefined before the first, null once the copy is over. */
async function committedCopy(cluster: TestCluster): Promise<string | null | undefined> {
  const [rows] = await cluster.pair.target.connection
    .query<RowDataPacket[]>('SELECT copy_state FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1', [cluster.pipeline])
    .catch(() => [[]] as unknown as [RowDataPacket[]]);
  const row = rows[0];
  return row === undefined ? undefined : row.copy_state === null ? null : String(row.copy_state);
}

/**
 * Starts the channel and polls its view until the copy committed its end; returns every copy
 * figure the view showed meanwhile (none if the copy was quicker than the polls).
 */
async function copyAsSeen(cluster: TestCluster): Promise<CopyView[]> {
  expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
  const seen: CopyView[] = [];
  await eventually(async () => {
    const view = await cluster.pipelineView();
    if (view.copy !== null) seen.push(view.copy);
    return (await committedCopy(cluster)) === null ? true : undefined;
  }, 300_000, 'the copy to commit its end');
  return seen;
}

/** What a DBA reads must hold whenever it was read: one table, its figures in range, rows only growing. */
function expectSensible(seen: CopyView[], table: string): void {
  let rows = 0;
  for (const copy of seen) {
    expect(copy).toMatchObject({ mode: 'initial', tables: 1 });
    expect(['copying', 'replaying']).toContain(copy.phase);
    if (copy.phase === 'copying') expect(copy.table).toBe(table);
    expect(copy.tablesDone).toBeLessThanOrEqual(copy.tables);
    expect(copy.rowsCopied).toBeGreaterThanOrEqual(rows);
    rows = copy.rowsCopied;
    expect(copy.estimatedRows).toBeGreaterThan(0);
    if (copy.percent !== null) expect(copy.percent).toBeGreaterThanOrEqual(0);
    if (copy.percent !== null) expect(copy.percent).toBeLessThanOrEqual(100);
    expect(copy.rowsPerSecond).toBeGreaterThanOrEqual(0);
    expect(copy.startedAt).toBeGreaterThan(0);
  }
}

/** The copy over, the view stops showing it; then the load stops and the tables must end identical. */
async function expectEnd(cluster: TestCluster, load: ReturnType<typeof liveLoad>, roundsAtStart: number): Promise<PipelineView> {
  const view = await eventually(async () => {
    const current = await cluster.pipelineView();
    return current.copy === null && current.state === 'running' ? current : undefined;
  }, 120_000, 'the view without a copy once it is over');
  // The source took writes while the copy ran, and keeps taking them after it.
  const more = load.rounds() + 2;
  await eventually(() => (load.rounds() >= more ? true : undefined), 300_000, 'two more rounds of writes');
  expect(load.rounds()).toBeGreaterThan(roundsAtStart);
  await load.stop();
  await expectTablesConverge(cluster.pair.source.connection, cluster.pair.target.connection, cluster.pair.schema, 'items', cluster.pair.schema, 300_000);
  return view;
}

describe('initial copy in a cluster (initialCopy in the channel\'s pipeline, real manager and nodes)', () => {
  it('copies a source under a write load on one node, the API showing the copy while it runs: identical tables', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'], batchRows: BATCH_ROWS, pipelineFields: { initialCopy: true } });
    await filledSource(cluster);
    const load = liveLoad(cluster, 1501);
    await eventually(() => (load.rounds() > 0 ? true : undefined), 120_000, 'the write load to run');
    const roundsAtStart = load.rounds();
    const seen = await copyAsSeen(cluster);
    expectSensible(seen, `${cluster.pair.schema}.items`);
    const view = await expectEnd(cluster, load, roundsAtStart);
    expect(view.stages?.select.node).toBe('n1');
    expect(view.stages?.load.node).toBe('n1');
  });

  it('copies across datacenters over the node-to-node pipe, the API showing the copy while it runs: identical tables', async () => {
    const cluster = await testCluster({ managers: 1, nodes: [], batchRows: BATCH_ROWS, dcs: { source: 'dc-a', target: 'dc-b' }, pipelineFields: { initialCopy: true } });
    await cluster.startNode('sa1', [], 'dc-a');
    await cluster.startNode('lb1', ['--pipe-listen', `127.0.0.1:${await unusedPort()}`], 'dc-b');
    await filledSource(cluster);
    const load = liveLoad(cluster, 1502);
    await eventually(() => (load.rounds() > 0 ? true : undefined), 120_000, 'the write load to run');
    const roundsAtStart = load.rounds();
    const seen = await copyAsSeen(cluster);
    expectSensible(seen, `${cluster.pair.schema}.items`);
    const view = await expectEnd(cluster, load, roundsAtStart);
    // Split: the select side read the source in dc-a, the copied rows reached dc-b through the pipe.
    expect(view.stages?.select).toEqual({ node: 'sa1', dc: 'dc-a' });
    expect(view.stages?.load).toEqual({ node: 'lb1', dc: 'dc-b' });
  });
});
