import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AlarmEvaluator, AlarmStore, type Alarm, type Observation, type WebhookPayload } from '../../../manager/alarms/index.ts';
import { EventLog } from '../../../shared/cluster/event-log.ts';
import type { PipelineStatsRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';

/** The alarm store and evaluator on real ZooKeeper, with a real webhook receiver on loopback. */

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
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alarms`, received };
}

const lagAlarm: Alarm = { id: 'lag:p1', rule: 'lag', pipeline: 'p1', channel: 'c1', severity: 'warning', message: 'lag 90 s', value: 90_000 };

function observation(observedAtSeconds: number, lagMs: number): Observation {
  const stats: PipelineStatsRecord = { pipeline: 'p1', node: 'n1', epoch: 1, state: 'running', position: `0-1-${observedAtSeconds}`, lagMs, rowsPerSecond: 100, at: `r${observedAtSeconds}` };
  return { pipeline: 'p1', channel: 'c1', channelStatus: 'START', stats, observedAt: observedAtSeconds * 1000 };
}

function evaluator(zk: ZkClient, webhookUrl?: string): AlarmEvaluator {
  const alarms = new AlarmEvaluator({ zk, log: silentLogger(), eventLog: new EventLog(zk), webhookUrl, by: 'manager:m1' });
  onTestFinished(() => alarms.close());
  return alarms;
}

const stored = async (zk: ZkClient, nodeName: string) => JSON.parse((await zk.getData(zkPaths.alarm(nodeName))).data.toString()) as Record<string, unknown>;

describe('alarm store', () => {
  it('raises (create, then update keeping raisedAt), lists and clears', async () => {
    const zk = await zkClient(await zkChroot());
    const store = new AlarmStore(zk);
    const first = await store.raise(lagAlarm);
    expect(first.created).toBe(true);
    expect(await stored(zk, 'lag.p1')).toEqual({ ...lagAlarm, raisedAt: first.record.raisedAt });
    const second = await store.raise({ ...lagAlarm, value: 120_000 });
    expect(second).toMatchObject({ created: false, record: { value: 120_000, raisedAt: first.record.raisedAt } });
    await store.raise({ ...lagAlarm, id: 'no-progress:p1', rule: 'no-progress' });
    expect((await store.list()).map((record) => record.id)).toEqual(['lag:p1', 'no-progress:p1']);
    expect(await store.clear('lag:p1')).toBe(true);
    expect(await store.clear('lag:p1')).toBe(false);
    expect(await zk.exists(zkPaths.alarm('lag.p1'))).toBeNull();
    expect(await store.get('no-progress:p1')).toMatchObject({ rule: 'no-progress' });
  });
});

describe('alarm evaluator', () => {
  it('raises a rule alarm into the store, the event log and the webhook, and clears it', async () => {
    const zk = await zkClient(await zkChroot());
    const hook = await webhookReceiver();
    const alarms = evaluator(zk, hook.url);
    const events = new EventLog(zk);

    await alarms.observe(observation(0, 90_000));
    expect(await zk.exists(zkPaths.alarm('lag.p1'))).toBeNull();
    await alarms.observe(observation(30, 95_000));
    expect(await stored(zk, 'lag.p1')).toMatchObject({ id: 'lag:p1', rule: 'lag', pipeline: 'p1', channel: 'c1', severity: 'warning', value: 95_000 });
    expect(await events.list()).toEqual([expect.objectContaining({ type: 'ALARM_RAISED', channel: 'c1', pipeline: 'p1', by: 'manager:m1', details: expect.objectContaining({ alarm: 'lag:p1', value: 95_000 }) as unknown })]);
    await alarms.observe(observation(35, 99_000)); // still firing: nothing new
    expect(await events.list()).toHaveLength(1);

    await alarms.observe(observation(40, 1_000));
    expect(await zk.exists(zkPaths.alarm('lag.p1'))).toBeNull();
    expect((await events.list()).map((event) => event.type)).toEqual(['ALARM_CLEARED', 'ALARM_RAISED']);
    await alarms.idle();
    expect(hook.received.map((payload) => [payload.alarm.id, payload.state])).toEqual([['lag:p1', 'raised'], ['lag:p1', 'cleared']]);
    expect(hook.received[0]!.alarm).toMatchObject({ value: 95_000, raisedAt: expect.any(String) as string });
  });

  it('raises a manual warning that only clear(id) removes', async () => {
    const zk = await zkClient(await zkChroot());
    const hook = await webhookReceiver();
    const alarms = evaluator(zk, hook.url);
    const record = await alarms.raiseManual({ channel: 'c1', pipeline: 'p1', by: 'node:n3', message: 'source answers slowly' });
    expect(record).toMatchObject({ id: 'warning:p1', rule: 'warning', severity: 'warning' });
    expect(await stored(zk, 'warning.p1')).toMatchObject({ message: 'source answers slowly' });
    await alarms.observe(observation(0, 0)); // rules do not touch manual warnings
    expect(await alarms.list()).toEqual([record]);
    expect(await alarms.clear('warning:p1', 'api:ops', 'looked into it')).toBe(true);
    expect(await alarms.clear('warning:p1')).toBe(false);
    expect(await alarms.list()).toEqual([]);
    const events = await new EventLog(zk).list();
    expect(events.map((event) => [event.type, event.by, event.reason])).toEqual([['ALARM_CLEARED', 'api:ops', 'looked into it'], ['ALARM_RAISED', 'node:n3', 'source answers slowly']]);
    await alarms.idle();
    expect(hook.received.map((payload) => [payload.alarm.id, payload.state])).toEqual([['warning:p1', 'raised'], ['warning:p1', 'cleared']]);
  });

  it('a new leader adopts active alarms and clears them only after the rule watched for its window', async () => {
    const zk = await zkClient(await zkChroot());
    const before = evaluator(zk);
    await before.observe(observation(0, 90_000));
    await before.observe(observation(30, 90_000));
    expect((await before.list()).map((record) => record.id)).toEqual(['lag:p1']);

    const after = evaluator(zk);
    await after.start();
    await after.observe(observation(1_000, 2_000)); // the new leader's clock starts anywhere
    expect((await after.list()).map((record) => record.id)).toEqual(['lag:p1']);
    await after.observe(observation(1_030, 2_000));
    expect(await after.list()).toEqual([]);
  });

  it('clears the alarms of a pipeline that is gone', async () => {
    const zk = await zkClient(await zkChroot());
    const alarms = evaluator(zk);
    await alarms.observe(observation(0, 90_000));
    await alarms.observe(observation(30, 90_000));
    await alarms.forget('p1');
    expect(await alarms.list()).toEqual([]);
  });
});
