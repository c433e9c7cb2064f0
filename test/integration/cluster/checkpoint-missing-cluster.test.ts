import { randomBytes } from 'node:crypto';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import { readApplied } from '../../../shared/cluster/applied-records.ts';
import { testCluster, type TestCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { zkClient } from '../../support/zookeeper.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * A cluster pipeline that ran before must not start at the binlog end when its target lost the
 * checkpoint, here with the whole system schema (so the target alone cannot tell it ever ran):
 * ZooKeeper's applied record does. The node refuses the start (FERRY_ERR_CHECKPOINT_MISSING,
 * naming the last position known), the console gets the `checkpoint-missing` alarm, and the
 * pipeline stays stopped until the operator sets `from`. The pipeline keeps its own system
 * schema: the shared servers' `_ferry` holds the checkpoints of the tests running beside it.
 */

const WAIT_MS = 300_000;

interface AlarmBody { id: string; rule: string; severity: string }

async function checkpointGtid(cluster: TestCluster, systemSchema: string): Promise<string | undefined> {
  const [rows] = await cluster.pair.target.connection.query<RowDataPacket[]>(`SELECT gtid_set FROM \`${systemSchema}\`.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1`, [cluster.pipeline]).catch(() => [[] as RowDataPacket[]]);
  return rows[0] === undefined || rows[0].gtid_set === null ? undefined : String(rows[0].gtid_set);
}

describe('a cluster pipeline whose checkpoint vanished from the target', () => {
  it('is refused with FERRY_ERR_CHECKPOINT_MISSING and a checkpoint-missing alarm, naming the last position; from that position every row arrives', async () => {
    const systemSchema = `_ferry_ck_${randomBytes(4).toString('hex')}`;
    const cluster = await testCluster({ managers: 1, nodes: ['n1'], pipelineFields: { systemSchema } });
    onTestFinished(async () => {
      const { app } = inject('services').users;
      const cleaner = await mysql.createConnection({ host: cluster.pair.target.instance.host, port: cluster.pair.target.instance.port, user: app.user, password: app.password });
      await cleaner.query(`DROP DATABASE IF EXISTS \`${systemSchema}\``);
      await cleaner.end();
    });
    const { pair, api } = cluster;
    const s = pair.schema;
    const zk = await zkClient(cluster.zk);
    await pair.onBoth(ITEMS_TABLE);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await expect.poll(() => checkpointGtid(cluster, systemSchema), { timeout: WAIT_MS, interval: 200 }).toBeDefined();
    await runMixedWorkload(pair.source.connection, s, { transactions: 100, seed: 1811 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, s, 'items', s, WAIT_MS);

    // The node stops cleanly, writing its last commit into ZooKeeper's applied record (within
    // 3 s: on a loaded machine the record may be a few seconds older, and the start below from
    // it applies those changes again, as upserts).
    expect(await cluster.nodes.get('n1')!.kill('SIGTERM')).toBe(0);
    const applied = (await readApplied(zk, cluster.pipeline))?.position;
    expect(applied).toBeDefined();

    // Written while no node runs it; then the target loses the whole system schema.
    await runMixedWorkload(pair.source.connection, s, { transactions: 100, seed: 1812 });
    await pair.target.connection.query(`DROP DATABASE \`${systemSchema}\``);

    // Before the guard, the node claimed a new checkpoint at the binlog end here.
    await cluster.startNode('n1');
    const refused = await eventually(async () => {
      const view = await cluster.pipelineView();
      return view.error?.code === 'FERRY_ERR_CHECKPOINT_MISSING' && view.state === 'failed' ? view : undefined;
    }, WAIT_MS, 'the start refused with FERRY_ERR_CHECKPOINT_MISSING');
    expect(refused.error!.message).toContain(`last position known: ${applied!}`);
    const alarm = await eventually(async () => (await api.get<AlarmBody[]>('/api/v1/alarms')).body.find((a) => a.id === `checkpoint-missing:${cluster.pipeline}`), WAIT_MS, 'the checkpoint-missing alarm');
    expect(alarm.severity).toBe('critical');
    expect(await checkpointGtid(cluster, systemSchema)).toBeUndefined();

    // The operator starts it from the position named: the rows written meanwhile arrive.
    expect((await api.post('/api/v1/channels/orders/stop')).status).toBe(200);
    const spec = (await api.get<ChannelView>('/api/v1/channels/orders')).body;
    const replaced = await api.put('/api/v1/channels/orders', {
      name: 'orders',
      pipelines: spec.pipelines.map((p) => ({ name: p.name, source: p.source, target: p.target, tables: p.tables, batch: p.batch, systemSchema, from: applied })),
    }, { 'if-match': String(spec.version) });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await runMixedWorkload(pair.source.connection, s, { transactions: 50, seed: 1813 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, s, 'items', s, WAIT_MS);
    await eventually(async () => ((await api.get<AlarmBody[]>('/api/v1/alarms')).body.some((a) => a.rule === 'checkpoint-missing') ? undefined : true), WAIT_MS, 'the checkpoint-missing alarm to clear');
  });
});
