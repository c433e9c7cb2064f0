import { describe, expect, it } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';
import { bidirectionalCluster, bothRunning } from '../../support/bidirectional-cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * A bidirectional channel under conflicts: stop, in a real cluster: the same row changed on
 * both masters stops the pipelines with FERRY_ERR_CONFLICT; the leader raises the critical
 * alarm conflict-stop for each and the API lists the conflicts; once a DBA settles them by
 * primary-wins and starts the channel again the alarms clear and the masters end identical.
 */

const WAIT_MS = 240_000;

interface AlarmBody { id: string; rule: string; severity: string; pipeline: string; message: string }

describe('cluster: a bidirectional channel stopped on a conflict', () => {
  it('raises conflict-stop while a pipeline is stopped on a conflict, and clears it once it runs again', async () => {
    const schema = 'crm';
    const cluster = await bidirectionalCluster(schema, { primary: 'src', conflicts: 'stop' });
    const { api, pair, back } = cluster;
    const source = pair.source.connection;
    const target = pair.target.connection;
    await pair.onBoth('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)');
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await bothRunning(cluster, WAIT_MS);
    await source.query(`INSERT INTO ${schema}.accounts VALUES (1, 100)`);
    await expectTablesConverge(source, target, schema, 'accounts', schema, WAIT_MS);

    expect((await api.post('/api/v1/channels/orders/pause', { reason: 'test: change the same row on both masters' })).status).toBe(200);
    await source.query(`UPDATE ${schema}.accounts SET balance = 150 WHERE id = 1`);
    await target.query(`UPDATE ${schema}.accounts SET balance = 80 WHERE id = 1`);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);

    const alarms = await eventually(async () => {
      const body = (await api.get<AlarmBody[]>('/api/v1/alarms')).body.filter((alarm) => alarm.rule === 'conflict-stop');
      return body.length === 2 ? body : undefined;
    }, WAIT_MS, 'conflict-stop for both pipelines');
    expect(alarms.map((alarm) => [alarm.id, alarm.severity]).sort()).toEqual([[`conflict-stop:${schema}`, 'critical'], [`conflict-stop:${back}`, 'critical']]);
    const view = (await api.get<ChannelView>('/api/v1/channels/orders')).body;
    expect(view.pipelines.map((p) => [p.state, p.error?.code])).toEqual([['failed', 'FERRY_ERR_CONFLICT'], ['failed', 'FERRY_ERR_CONFLICT']]);
    const listed = (await api.get<{ conflicts: ConflictRecord[] }>('/api/v1/channels/orders/conflicts')).body.conflicts;
    expect(listed.map((c) => [c.pipeline, c.decision]).sort()).toEqual([[schema, 'stopped'], [back, 'stopped']].sort());

    // The DBA lets the primary's version win: the channel stopped, its policy changed, started again.
    expect((await api.post('/api/v1/channels/orders/stop', { reason: 'test: settle by primary-wins' })).status).toBe(200);
    const spec = (await api.get<ChannelView>('/api/v1/channels/orders')).body;
    const replaced = await api.put('/api/v1/channels/orders', {
      name: 'orders',
      pipelines: spec.pipelines.map((p) => ({ name: p.name, source: p.source, target: p.target, tables: p.tables })),
      bidirectional: { primary: 'src', conflicts: 'primary-wins' },
    }, { 'if-match': String(spec.version) });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await eventually(async () => {
      const body = (await api.get<AlarmBody[]>('/api/v1/alarms')).body;
      return body.some((alarm) => alarm.rule === 'conflict-stop') ? undefined : true;
    }, WAIT_MS, 'the conflict-stop alarms to clear');
    await bothRunning(cluster, WAIT_MS);
    await source.query(`INSERT INTO ${schema}.accounts VALUES (2, 5)`);
    await expectTablesConverge(source, target, schema, 'accounts', schema, WAIT_MS);
    const [rows] = await target.query(`SELECT balance FROM ${schema}.accounts WHERE id = 1`);
    expect(rows).toEqual([{ balance: 150 }]);
    const settled = (await api.get<ChannelView>('/api/v1/channels/orders')).body;
    expect(settled.pipelines.map((p) => p.state)).toEqual(['running', 'running']);
    expect((await api.get<AlarmBody[]>('/api/v1/alarms')).body.filter((alarm) => alarm.rule === 'conflict-stop')).toEqual([]);
  });
});
