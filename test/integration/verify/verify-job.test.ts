import { describe, expect, it } from 'vitest';
import type { VerifyJobView } from '../../../shared/cluster/verify-jobs.ts';
import { testCluster, type TestCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { eventually, type ErrorBody } from '../manager/manager-support.ts';

/**
 * Issue #15, verify as a job: POST /channels/{name}/verify writes the job to ZooKeeper, the
 * node holding the pipeline runs it (the manager never connects to a database), the result is
 * in the API, an event records its end and an alarm its differences. Real manager and node
 * processes, ZooKeeper, MariaDB.
 */

const ROWS = 400;
/** Rows the damage goes into: above every key the workload writes (its keys stay below 1,000). */
const DAMAGE_FROM = 10_000;

async function seed(cluster: TestCluster): Promise<void> {
  const { pair } = cluster;
  await pair.onBoth(ITEMS_TABLE);
  const values = Array.from({ length: ROWS }, (_, i) => {
    const id = i < ROWS / 2 ? i : DAMAGE_FROM + i;
    return `(${id}, 'row ${id}', ${i}, ${i % 3 === 0 ? 'NULL' : `'note ${i}'`}, '2026-12-01 10:00:00.${String(i).padStart(6, '0')}')`;
  });
  // A new pipeline starts at the binlog's end: the rows are written once it runs.
  expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
  await cluster.runningOn();
  await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ${values.join(', ')}`);
  await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
}

async function finished(cluster: TestCluster, id: string): Promise<VerifyJobView> {
  return eventually(async () => {
    const { status, body } = await cluster.api.get<VerifyJobView>(`/api/v1/channels/orders/verify/${id}`);
    expect(status).toBe(200);
    return body.state === 'done' || body.state === 'failed' ? body : undefined;
  }, 300_000, `verify job ${id} to end`);
}

/** Deletes 3 rows, changes 2 and adds 4 on the target, directly: what verify must find. */
async function damage(cluster: TestCluster): Promise<void> {
  const { pair } = cluster;
  const table = `\`${pair.schema}\`.items`;
  const target = pair.target.connection;
  await target.query(`DELETE FROM ${table} WHERE id IN (?, ?, ?)`, [DAMAGE_FROM + 210, DAMAGE_FROM + 300, DAMAGE_FROM + 399]);
  await target.query(`UPDATE ${table} SET qty = qty + 1 WHERE id = ?`, [DAMAGE_FROM + 250]);
  await target.query(`UPDATE ${table} SET note = NULL WHERE id = ?`, [DAMAGE_FROM + 301]);
  await target.query(`INSERT INTO ${table} VALUES (?, 'extra', 1, NULL, '2026-12-01 00:00:00'), (?, 'extra', 1, NULL, '2026-12-01 00:00:00'), (?, 'extra', 1, NULL, '2026-12-01 00:00:00'), (?, 'extra', 1, NULL, '2026-12-01 00:00:00')`, [DAMAGE_FROM + 5000, DAMAGE_FROM + 5001, DAMAGE_FROM + 5002, DAMAGE_FROM + 5003]);
}

/** Undoes damage(): the source's rows of those keys written back, the extras deleted. */
async function mend(cluster: TestCluster): Promise<void> {
  const { pair } = cluster;
  const table = `\`${pair.schema}\`.items`;
  // DATETIME(6) as text: a Date would lose the microseconds.
  const [rows] = await pair.source.connection.query(`SELECT id, name, qty, note, DATE_FORMAT(updated, '%Y-%m-%d %H:%i:%s.%f') AS updated FROM ${table} WHERE id IN (?, ?, ?, ?, ?)`, [DAMAGE_FROM + 210, DAMAGE_FROM + 300, DAMAGE_FROM + 399, DAMAGE_FROM + 250, DAMAGE_FROM + 301]);
  for (const row of rows as Array<Record<string, unknown>>) await pair.target.connection.query(`REPLACE INTO ${table} SET ?`, [row]);
  await pair.target.connection.query(`DELETE FROM ${table} WHERE id >= ?`, [DAMAGE_FROM + 5000]);
}

/** Waits for the leader's VERIFY_FAILED event of a job. */
async function failedEvent(cluster: TestCluster, job: string): Promise<void> {
  await eventually(async () => {
    const { body } = await cluster.api.get<Array<{ details?: { job?: string } }>>('/api/v1/events?type=VERIFY_FAILED');
    return body.some((e) => e.details?.job === job) ? true : undefined;
  }, 60_000, `the VERIFY_FAILED event of ${job}`);
}

describe('verify as a job in a cluster', () => {
  it('reports exactly the rows damaged on the target of a running pipeline under a write load, with an event and an alarm', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'] });
    await seed(cluster);
    const { pair } = cluster;
    await damage(cluster);
    // Writes go on all through the job: rows in flight must not be reported.
    let stopped = false;
    const writing = (async () => {
      let committed = 0;
      // Keys spread over 3,000 and a breath between rounds: a row rewritten every few milliseconds is
      // never still long enough for verify's re-reads to agree (docs/full-sync.md), and that is not the point here.
      for (let round = 0; !stopped; round++) {
        committed += await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 1500 + round, keySpace: 3000 });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return committed;
    })();
    writing.catch(() => undefined);

    const posted = await cluster.api.post<VerifyJobView>('/api/v1/channels/orders/verify', { reason: 'nightly check' });
    expect(posted.status).toBe(202);
    expect(posted.body.id).toMatch(/^job-\d{10}$/);
    expect(posted.body.reason).toBe('nightly check');
    expect(posted.body.requestedBy).toBe('api:admin');
    expect(posted.body.pipelines).toEqual([expect.objectContaining({ pipeline: cluster.pipeline, node: 'n1' })]);
    const job = await finished(cluster, posted.body.id);
    expect(await (stopped = true, writing)).toBeGreaterThan(0);
    // With the damage mended by hand the tables converge: the pipeline itself kept them equal,
    // so anything else the job reported would have been a row in flight.
    await mend(cluster);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    expect(job.state).toBe('done');
    expect(job.startedAt).toBeDefined();
    expect(job.finishedAt).toBeDefined();
    const [part] = job.pipelines;
    expect(part?.state).toBe('done');
    expect(part?.tables).toHaveLength(1);
    const table = part!.tables[0]!;
    expect(table.table).toBe(`${pair.schema}.items`);
    expect({ missing: table.missing, extra: table.extra, different: table.different }).toEqual({ missing: 3, extra: 4, different: 2 });
    expect(table.samples.missing).toEqual([[DAMAGE_FROM + 210], [DAMAGE_FROM + 300], [DAMAGE_FROM + 399]]);
    expect(table.samples.different).toEqual([[DAMAGE_FROM + 250], [DAMAGE_FROM + 301]]);
    expect(table.rows).toBeGreaterThan(ROWS / 2);

    const list = await cluster.api.get<{ channel: string; jobs: VerifyJobView[] }>('/api/v1/channels/orders/verify');
    expect(list.status).toBe(200);
    expect(list.body.jobs[0]?.id).toBe(job.id);

    const event = await eventually(async () => {
      const { body } = await cluster.api.get<Array<{ type: string; channel?: string; details?: { job?: string; differences?: number } }>>('/api/v1/events?type=VERIFY_DONE');
      return body.find((e) => e.details?.job === job.id);
    }, 60_000, 'the VERIFY_DONE event');
    expect(event.details?.differences).toBe(9);
    const alarms = await cluster.api.get<Array<{ id: string; value: number; severity: string }>>('/api/v1/alarms');
    expect(alarms.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: `verify:${cluster.pipeline}`, value: 9, severity: 'critical' })]));
  });

  it('answers unknown channels and jobs with 404, a malformed job id with 400, and fails a job whose node is gone or whose pipeline no node holds', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'], managerArgs: ['--protection-period', '10m'] });
    await cluster.pair.onBoth(ITEMS_TABLE);
    // Stopped: no node holds the pipeline.
    const unassigned = await cluster.api.post<VerifyJobView>('/api/v1/channels/orders/verify');
    expect(unassigned.status).toBe(202);
    const failedAtOnce = await finished(cluster, unassigned.body.id);
    expect(failedAtOnce.state).toBe('failed');
    expect(failedAtOnce.pipelines[0]?.error?.code).toBe('FERRY_ERR_VERIFY_NOT_ASSIGNED');
    await failedEvent(cluster, unassigned.body.id);

    // The newest 20 are kept: the oldest is gone once 20 more were asked for.
    for (let i = 0; i < 20; i++) expect((await cluster.api.post('/api/v1/channels/orders/verify', { reason: `again ${i}` })).status).toBe(202);
    const kept = await cluster.api.get<{ jobs: VerifyJobView[] }>('/api/v1/channels/orders/verify');
    expect(kept.body.jobs).toHaveLength(20);
    expect(kept.body.jobs[0]?.reason).toBe('again 19');
    expect(kept.body.jobs.map((j) => j.id)).not.toContain(unassigned.body.id);
    expect((await cluster.api.get(`/api/v1/channels/orders/verify/${unassigned.body.id}`)).status).toBe(404);

    expect((await cluster.api.post<ErrorBody>('/api/v1/channels/nope/verify')).body.code).toBe('FERRY_ERR_API_NOT_FOUND');
    const unknownJob = await cluster.api.get<ErrorBody>('/api/v1/channels/orders/verify/job-0000009999');
    expect(unknownJob.status).toBe(404);
    expect(unknownJob.body.code).toBe('FERRY_ERR_API_NOT_FOUND');
    expect((await cluster.api.get<ErrorBody>('/api/v1/channels/orders/verify/x')).status).toBe(400);

    // The node dies; its assignment stays for the protection period, so the job names it.
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn({ node: 'n1' });
    await cluster.nodes.get('n1')!.kill('SIGKILL');
    const orphan = await cluster.api.post<VerifyJobView>('/api/v1/channels/orders/verify');
    expect(orphan.body.pipelines[0]?.node).toBe('n1');
    const lost = await finished(cluster, orphan.body.id);
    expect(lost.state).toBe('failed');
    expect(lost.pipelines[0]?.error?.code).toBe('FERRY_ERR_VERIFY_NODE_LOST');
    await failedEvent(cluster, lost.id);
  });
});
