import { describe, expect, it } from 'vitest';
import type { VerifyJobView } from '../../../shared/cluster/verify-jobs.ts';
import { testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { unusedPort } from '../../support/waits.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * Issue #15, verify of a split pipeline: the select node (dc-a, next to the source) computes
 * the source's chunk checksums and row hashes and answers over the pipe; the load node (dc-b)
 * computes the target's and compares. Real manager and node processes, ZooKeeper, MariaDB.
 */

const DAMAGE_FROM = 10_000;

describe('verify of a split pipeline, through the pipe', () => {
  it('reports exactly the rows damaged on the target while the pipeline runs under a write load', async () => {
    const cluster = await testCluster({ managers: 1, nodes: [], dcs: { source: 'dc-a', target: 'dc-b' } });
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    await cluster.startNode('sa1', [], 'dc-a');
    await cluster.startNode('lb1', ['--pipe-listen', `127.0.0.1:${await unusedPort()}`], 'dc-b');
    const values = Array.from({ length: 300 }, (_, i) => `(${DAMAGE_FROM + i}, 'row ${i}', ${i}, NULL, '2026-12-01 10:00:00')`);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await eventually(async () => {
      const view = await cluster.pipelineView();
      return view.state === 'running' && view.stages?.select.node === 'sa1' && view.stages.load.node === 'lb1' ? view : undefined;
    }, 120_000, 'the pipeline to run split');
    // A new pipeline starts at the binlog's end: the rows are written once it runs.
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ${values.join(', ')}`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    const table = `\`${pair.schema}\`.items`;
    await pair.target.connection.query(`DELETE FROM ${table} WHERE id IN (?, ?)`, [DAMAGE_FROM + 7, DAMAGE_FROM + 150]);
    await pair.target.connection.query(`UPDATE ${table} SET name = 'changed' WHERE id = ?`, [DAMAGE_FROM + 299]);
    await pair.target.connection.query(`INSERT INTO ${table} VALUES (?, 'extra', 1, NULL, '2026-12-01 00:00:00')`, [DAMAGE_FROM + 1000]);

    let stopped = false;
    const writing = (async () => {
      let committed = 0;
      // Keys spread over 3,000 and a breath between rounds: a row rewritten every few milliseconds is
      // never still long enough for verify's re-reads to agree (docs/full-sync.md), and that is not the point here.
      for (let round = 0; !stopped; round++) {
        committed += await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 1510 + round, keySpace: 3000 });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return committed;
    })();
    writing.catch(() => undefined);
    const posted = await cluster.api.post<VerifyJobView>('/api/v1/channels/orders/verify', { reason: 'split check' });
    expect(posted.status).toBe(202);
    // The load node holds the part; the source's figures come to it over the pipe.
    expect(posted.body.pipelines[0]?.node).toBe('lb1');
    const job = await eventually(async () => {
      const { body } = await cluster.api.get<VerifyJobView>(`/api/v1/channels/orders/verify/${posted.body.id}`);
      return body.state === 'done' || body.state === 'failed' ? body : undefined;
    }, 300_000, 'the verify job to end');
    stopped = true;
    expect(await writing).toBeGreaterThan(0);
    // The damage mended by hand, the tables converge: the pipeline kept them equal otherwise.
    const [rows] = await pair.source.connection.query(`SELECT id, name, qty, note, DATE_FORMAT(updated, '%Y-%m-%d %H:%i:%s.%f') AS updated FROM ${table} WHERE id IN (?, ?, ?)`, [DAMAGE_FROM + 7, DAMAGE_FROM + 150, DAMAGE_FROM + 299]);
    for (const row of rows as Array<Record<string, unknown>>) await pair.target.connection.query(`REPLACE INTO ${table} SET ?`, [row]);
    await pair.target.connection.query(`DELETE FROM ${table} WHERE id = ?`, [DAMAGE_FROM + 1000]);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect(job.pipelines[0]?.error).toBeUndefined();
    expect(job.state).toBe('done');
    const found = job.pipelines[0]!.tables[0]!;
    expect({ missing: found.missing, extra: found.extra, different: found.different }).toEqual({ missing: 2, extra: 1, different: 1 });
    expect(found.samples).toEqual({ missing: [[DAMAGE_FROM + 7], [DAMAGE_FROM + 150]], extra: [[DAMAGE_FROM + 1000]], different: [[DAMAGE_FROM + 299]] });

    // Paused, the select side is not connected: the load node does not reach for the source
    // itself (a whole pipeline's node would), the part fails with FERRY_ERR_VERIFY_NO_PIPE.
    expect((await cluster.api.post('/api/v1/channels/orders/pause')).status).toBe(200);
    const unpiped = await eventually(async () => {
      const asked = await cluster.api.post<VerifyJobView>('/api/v1/channels/orders/verify');
      const ended = await eventually(async () => {
        const { body } = await cluster.api.get<VerifyJobView>(`/api/v1/channels/orders/verify/${asked.body.id}`);
        return body.state === 'done' || body.state === 'failed' ? body : undefined;
      }, 120_000, 'a verify job of the paused channel to end');
      // A job that started while the session was closing fails with the pipe's error instead.
      return ended.pipelines[0]?.error?.code === 'FERRY_ERR_VERIFY_NO_PIPE' ? ended : undefined;
    }, 120_000, 'a verify job of the paused channel to fail without its pipe');
    expect(unpiped.state).toBe('failed');
    expect(unpiped.pipelines[0]?.node).toBe('lb1');
    // The view says what the DBA asked for, not the last 'running' the nodes sent before pausing.
    expect((await cluster.pipelineView()).state).toBe('paused');
  });
});
