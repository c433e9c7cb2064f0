import { describe, expect, it } from 'vitest';
import type { VerifyJobView } from '../../../shared/cluster/verify-jobs.ts';
import type { ChannelView } from '../../../manager/api/views.ts';
import { testCluster } from '../../support/cluster.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * Issue #15, continuous validation: a channel whose pipeline sets validation.intervalSeconds is
 * verified in the background by the leader's schedule while it runs and takes writes; identical
 * tables give jobs without differences, a row damaged on the target raises the alarm
 * verify:<pipeline>. Real manager and node processes, ZooKeeper, MariaDB.
 */

describe('continuous validation in a cluster', () => {
  it('verifies a running channel every interval, and a damaged row raises the verify alarm', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'] });
    const { pair, api } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    const current = await api.get<ChannelView>('/api/v1/channels/orders');
    const { name, description, pipelines } = current.body;
    const spec = { name, description, pipelines: pipelines.map((p) => ({ name: p.name, source: p.source, target: p.target, tables: p.tables, batch: p.batch, validation: { intervalSeconds: 10 } })) };
    expect((await api.put('/api/v1/channels/orders', spec, { 'if-match': String(current.body.version) })).status).toBe(200);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn();

    let stopped = false;
    const writing = (async () => {
      // Keys spread over 3,000 and a breath between rounds: a row rewritten every few milliseconds is
      // never still long enough for verify's re-reads to agree (docs/full-sync.md), and that is not the point here.
      for (let round = 0; !stopped; round++) {
        await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 20, seed: 700 + round, keySpace: 3000 });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const validations = async () => (await api.get<{ jobs: VerifyJobView[] }>('/api/v1/channels/orders/verify')).body.jobs.filter((job) => job.requestedBy === 'validation');
    // A validation while the source takes writes: identical (rows in flight are read again).
    const clean = await eventually(async () => (await validations()).find((job) => job.state === 'done'), 180_000, 'a validation job to end');
    expect(clean.pipelines.flatMap((p) => p.tables).every((t) => t.missing + t.extra + t.different === 0)).toBe(true);
    stopped = true;
    await writing;
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    // A row changed on the target alone: the next validation finds it.
    await pair.target.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (900000, 'not on the source', 1, NULL, '2026-12-07 00:00:00')`);
    const alarm = await eventually(async () => {
      const { body } = await api.get<Array<{ id: string; value: number }>>('/api/v1/alarms');
      return body.find((a) => a.id === `verify:${cluster.pipeline}`);
    }, 180_000, 'the verify alarm');
    expect(alarm.value).toBe(1);
    const found = (await validations()).find((job) => job.pipelines.some((p) => p.tables.some((t) => t.extra === 1)));
    expect(found?.requestedBy).toBe('validation');
  });

  it('bin/ferry run --validate-every: a damaged row is reported with its table\'s counts at error level', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const ferry = startFerry(pair.runArgs(['--validate-every', '10']));
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 31, keySpace: 200 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await pair.target.connection.query(`DELETE FROM \`${pair.schema}\`.items ORDER BY id LIMIT 2`);
    // The process's structured log: a record at error level with the table's counts.
    const reported = () => ferry.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; tables?: Array<{ table: string; missing: number }> }).find((record) => record.level === 50 && record.tables !== undefined);
    await expect.poll(reported, { timeout: 180_000 }).toBeDefined();
    expect(reported()!.tables).toEqual([expect.objectContaining({ table: `${pair.schema}.items`, missing: 2 })]);
    expect(ferry.child.exitCode).toBeNull();
  });
});
