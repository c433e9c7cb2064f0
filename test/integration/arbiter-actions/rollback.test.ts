import { describe, expect, it } from 'vitest';
import { rollbackChannel, type ArbiterOutcome } from '../../../shared/cluster/arbiter/index.ts';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { eventually, type ApiClient } from '../manager/manager-support.ts';
import { arbiterContext, fakeNode, managerWithChannel, readPermit, startAndPlace, WAIT_MS } from './arbiter-support.ts';

/** ROLLBACK against real ZooKeeper: a manager in this process, fake nodes registered by the test. */

/** The channel's events of the arbiter and of operators (the scheduler records others, PLACEMENT). */
async function channelEvents(api: ApiClient): Promise<{ body: EventRecord[] }> {
  const response = await api.get<EventRecord[]>('/api/v1/events?channel=c1');
  return { body: response.body.filter((e) => ['ROLLBACK', 'RESTART', 'START', 'PAUSE', 'STOP', 'WARNING'].includes(e.type)) };
}

describe('ROLLBACK', () => {
  it('pauses the channel, waits for the node to clear, and records who asked and why', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { api } = await managerWithChannel(connect);
    const n1 = await fakeNode(connect, 'n1');
    expect(await startAndPlace(api, zk)).toMatchObject({ node: 'n1' });

    const response = await api.post<ArbiterOutcome>('/api/v1/channels/c1/rollback', { reason: 'target refused a batch' });
    expect(response.status).toBe(200);
    const outcome = response.body;
    expect(outcome).toMatchObject({ action: 'ROLLBACK', channel: 'c1', cleared: ['n1'], unresponsive: [], rollbackId: expect.any(String) as string });
    expect(n1.acked).toEqual([outcome.rollbackId]);
    expect(await readPermit(zk)).toMatchObject({ status: 'PAUSE', by: 'api:admin', reason: 'target refused a batch', rollbackId: outcome.rollbackId });
    // The assignment stays: ROLLBACK clears what runs, it does not move it.
    expect(await zk.exists(zkPaths.assignment('p1'))).not.toBeNull();

    const events = (await channelEvents(api)).body;
    expect(events.map((e) => e.type)).toEqual(['ROLLBACK', 'START']);
    expect(events[0]).toEqual({ ...outcome.event, details: { rollbackId: outcome.rollbackId, cleared: ['n1'], unresponsive: [] } });
    expect(events[0]).toMatchObject({ by: 'api:admin', reason: 'target refused a batch' });
    expect(events[1]).toMatchObject({ type: 'START', by: 'api:admin', reason: 'start requested through the API' });
    const starts = await api.get<EventRecord[]>('/api/v1/events?type=START&limit=1');
    expect(starts.body.map((e) => e.id)).toEqual([events[1]!.id]);

    // An operator's pause and stop are events too; the channel view names who set the status.
    await api.post('/api/v1/channels/c1/pause');
    await api.post('/api/v1/channels/c1/stop');
    expect((await channelEvents(api)).body.slice(0, 2).map((e) => [e.type, e.by])).toEqual([['STOP', 'api:admin'], ['PAUSE', 'api:admin']]);
    expect((await api.get<{ status: string; statusBy: string }>('/api/v1/channels/c1')).body).toMatchObject({ status: 'STOP', statusBy: 'api:admin' });
  });

  it('lists a live node that never acknowledges as unresponsive once clearTimeoutMs is over', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { api } = await managerWithChannel(connect);
    await fakeNode(connect, 'n1', { ack: false });
    await startAndPlace(api, zk);

    const started = performance.now();
    const outcome = await rollbackChannel(arbiterContext(zk, { clearTimeoutMs: 1_500 }), 'c1', { by: 'node:n7', reason: 'remote pipe broke' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(outcome).toMatchObject({ action: 'ROLLBACK', cleared: [], unresponsive: ['n1'] });
    expect(outcome.event).toMatchObject({ type: 'ROLLBACK', channel: 'c1', by: 'node:n7', reason: 'remote pipe broke', details: { unresponsive: ['n1'] } });
    expect(await readPermit(zk)).toMatchObject({ status: 'PAUSE', by: 'node:n7', rollbackId: outcome.rollbackId });
  });

  it('stops waiting for a node whose registration vanishes', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { api } = await managerWithChannel(connect);
    const n1 = await fakeNode(connect, 'n1', { ack: false });
    await startAndPlace(api, zk);

    const started = performance.now();
    const clearTimeoutMs = 300_000;
    const rollback = rollbackChannel(arbiterContext(zk, { clearTimeoutMs }), 'c1', { by: 'manager:m1', reason: 'test' });
    await eventually(async () => (await readPermit(zk))?.rollbackId, WAIT_MS, 'the rollback to begin');
    await n1.zk.close(); // the ephemeral registration goes with the session
    expect(await rollback).toMatchObject({ cleared: [], unresponsive: ['n1'] });
    expect(performance.now() - started).toBeLessThan(clearTimeoutMs); // it did not sit out the timeout
  });

  it('refuses an unknown channel (404) and a STOPped one (409), leaving no trace', async () => {
    const connect = await zkChroot();
    const zk = await zkClient(connect);
    const { api } = await managerWithChannel(connect);
    const unknown = await api.post('/api/v1/channels/nope/rollback');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'FERRY_ERR_API_NOT_FOUND', details: { what: 'channel', name: 'nope' } });
    expect(await zk.exists(zkPaths.channelLock('nope'))).toBeNull();
    for (const action of ['rollback', 'restart']) {
      const stopped = await api.post(`/api/v1/channels/c1/${action}`, { reason: 'why not' });
      expect(stopped.status).toBe(409);
      expect(stopped.body).toMatchObject({ code: 'FERRY_ERR_CHANNEL_STOPPED', details: { channel: 'c1', action: action.toUpperCase() } });
    }
    expect(await readPermit(zk)).toMatchObject({ status: 'STOP' });
    expect((await channelEvents(api)).body).toEqual([]);
  });
});
