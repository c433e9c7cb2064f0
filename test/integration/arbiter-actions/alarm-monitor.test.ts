import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AlarmRecord, WebhookPayload } from '../../../manager/alarms/index.ts';
import { alarmMonitor } from '../../../manager/arbiter/index.ts';
import { scheduler } from '../../../manager/index.ts';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import type { PipelineStatsRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { eventually } from '../manager/manager-support.ts';
import { managerWithChannel, WAIT_MS } from './arbiter-support.ts';

/** The leader's alarm duty on real ZooKeeper: stats written to /stats, alarms read through the API. */

async function webhookReceiver(): Promise<{ url: string; received: WebhookPayload[] }> {
  const received: WebhookPayload[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString()) as WebhookPayload);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function writeStats(zk: ZkClient, lagMs: number, at: string): Promise<void> {
  const record: PipelineStatsRecord = { pipeline: 'p1', node: 'n1', epoch: 1, state: 'running', position: `0-1-${at}`, lagMs, rowsPerSecond: 10, at };
  await zk.mkdirp(zkPaths.stats);
  if ((await zk.exists(zkPaths.stat('p1'))) === null) await zk.create(zkPaths.stat('p1'), JSON.stringify(record));
  else await zk.setData(zkPaths.stat('p1'), JSON.stringify(record));
}

describe('alarm monitor', () => {
  it('raises a lag alarm from /stats on the leader, lists it, and clears it by hand and by the rule', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const hook = await webhookReceiver();
    const rules = [{ id: 'lag', kind: 'lag' as const, thresholdMs: 5_000, forSeconds: 0.5 }];
    const { api } = await managerWithChannel(connect, { duties: [scheduler(), alarmMonitor({ rules, intervalMs: 100, webhookUrl: hook.url })] });
    await api.post('/api/v1/channels/c1/start'); // the lag rule only judges a started channel
    await writeStats(zk, 90_000, 'r1');

    const lagAlarm = (alarms: AlarmRecord[]) => alarms.find((a) => a.id === 'lag:p1');
    const raised = await eventually(async () => lagAlarm((await api.get<AlarmRecord[]>('/api/v1/alarms')).body), WAIT_MS, 'a lag alarm');
    expect(raised).toMatchObject({ rule: 'lag', pipeline: 'p1', channel: 'c1', severity: 'warning', value: 90_000 });
    const events = await api.get<EventRecord[]>('/api/v1/events?type=ALARM_RAISED');
    expect(events.body[0]).toMatchObject({ channel: 'c1', pipeline: 'p1', by: expect.stringMatching(/^manager:/) as string });
    await eventually(() => hook.received.find((p) => p.state === 'raised' && p.alarm.id === 'lag:p1'), WAIT_MS, 'the webhook delivery');

    // Cleared by hand while the lag goes on: recorded, and raised again by the leader's rule.
    expect((await api.post('/api/v1/alarms/lag:p1/clear', { reason: 'known: bulk load' })).status).toBe(204);
    expect((await api.get<EventRecord[]>('/api/v1/events?type=ALARM_CLEARED')).body[0]).toMatchObject({ pipeline: 'p1', by: 'api:admin', reason: 'known: bulk load' });
    await eventually(async () => ((await api.get<EventRecord[]>('/api/v1/events?type=ALARM_RAISED')).body.length === 2 ? true : undefined), WAIT_MS, 'the alarm raised again');
    expect(lagAlarm((await api.get<AlarmRecord[]>('/api/v1/alarms')).body)).toBeDefined();

    // The lag goes away: the rule clears it.
    await writeStats(zk, 100, 'r2');
    await eventually(async () => (lagAlarm((await api.get<AlarmRecord[]>('/api/v1/alarms')).body) === undefined ? true : undefined), WAIT_MS, 'the alarm to clear');
    expect((await api.post('/api/v1/alarms/lag:p1/clear')).body).toMatchObject({ code: 'FERRY_ERR_API_NOT_FOUND', details: { what: 'alarm', name: 'lag:p1' } });
  });

  it('turns a WARNING into a manual alarm per pipeline and a WARNING event', async () => {
    const connect = await zkChroot();
    const { api } = await managerWithChannel(connect);
    expect((await api.post('/api/v1/channels/c1/warning', { reason: 'target disk 90% full' })).status).toBe(204);
    expect((await api.get<AlarmRecord[]>('/api/v1/alarms')).body).toEqual([expect.objectContaining({ id: 'warning:p1', rule: 'warning', channel: 'c1', message: 'target disk 90% full' })]);
    expect((await api.get<EventRecord[]>('/api/v1/events?type=WARNING')).body).toEqual([expect.objectContaining({ channel: 'c1', by: 'api:admin', reason: 'target disk 90% full', details: { pipelines: ['p1'] } })]);
    expect((await api.post('/api/v1/channels/c1/warning', { reason: 'x', pipeline: 'p9' })).status).toBe(404);
    expect((await api.post('/api/v1/channels/nope/warning', { reason: 'x' })).status).toBe(404);
    expect((await api.post('/api/v1/alarms/warning:p1/clear')).status).toBe(204);
    expect((await api.get<AlarmRecord[]>('/api/v1/alarms')).body).toEqual([]);
  });
});
