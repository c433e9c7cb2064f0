import { describe, expect, it } from 'vitest';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import type { ChannelView } from '../../../manager/index.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';
import { statsRecord } from '../../../node/cluster/stats-record.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, testManager, type ErrorBody } from './manager-support.ts';

/**
 * GET /api/v1/channels/{name}/conflicts and the channel view's bidirectional settings, on a
 * manager and a real ZooKeeper, from stats reports built as a node builds them.
 */

const conflict = (pipeline: string, second: number, note: string): ConflictRecord => ({
  pipeline, table: 'shop.orders', key: { id: 7 }, kind: 'mismatch',
  incoming: { id: 7, note: `${note} (incoming)` }, current: { id: 7, note: `${note} (current)` },
  policy: 'primary-wins', decision: pipeline === 'a-to-b' ? 'applied' : 'skipped', position: `0-1-${second}`,
  at: new Date(Date.UTC(2026, 11, 7, 15, 0, second)).toISOString(),
});

describe('channel conflicts API', () => {
  it('lists both pipelines\' reported conflicts newest first, with totals and the bidirectional settings', async () => {
    const zk = await zkChroot();
    const manager = await testManager(zk);
    const api = apiClient(manager.url);
    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    const created = await api.post<ChannelView>('/api/v1/channels', channel('shop', [{ name: 'a-to-b', source: 'a', target: 'b' }, { name: 'b-to-a', source: 'b', target: 'a' }], { bidirectional: { primary: 'a' } }));
    expect(created.status).toBe(201);
    expect(created.body.bidirectional).toEqual({ primary: 'a', conflicts: 'primary-wins' });
    expect(created.body.pipelines.map((p) => p.conflicts)).toEqual([null, null]);
    expect((await api.get('/api/v1/channels/shop/conflicts')).body).toEqual({
      channel: 'shop', total: 0, pipelines: [{ pipeline: 'a-to-b', total: null, reportedAt: null }, { pipeline: 'b-to-a', total: null, reportedAt: null }], conflicts: [],
    });

    // PAUSE keeps the assignments the test writes (STOP would have the leader remove them).
    expect((await api.post('/api/v1/channels/shop/pause')).status).toBe(200);
    const client = await zkClient(zk);
    for (const pipeline of ['a-to-b', 'b-to-a']) {
      await client.create(zkPaths.assignment(pipeline), JSON.stringify({ pipeline, channel: 'shop', node: 'n1', epoch: 2, state: 'acked', at: new Date().toISOString() }));
    }
    const base = { state: 'running' as const, lagMs: 0, applyDelayMs: 0, rowsPerSecond: 0, rowsApplied: 0, transactionsApplied: 0 };
    const report = (pipeline: string, total: number, recent: ConflictRecord[]) => statsRecord({ pipeline, node: 'n1', epoch: 2, status: { ...base, conflicts: { total, recent } }, now: new Date() });
    const posted = await api.post('/api/v1/internal/stats', {
      node: 'n1',
      stats: [
        report('a-to-b', 12, [conflict('a-to-b', 40, 'ab 40'), conflict('a-to-b', 10, 'ab 10')]),
        report('b-to-a', 3, [conflict('b-to-a', 30, 'ba 30'), conflict('b-to-a', 20, 'ba 20'), { ...conflict('b-to-a', 5, 'long'), incoming: { id: 7, note: 'y'.repeat(5_000) } }]),
      ],
    });
    expect(posted.status).toBe(204);

    const all = await api.get<{ total: number; pipelines: unknown[]; conflicts: ConflictRecord[] }>('/api/v1/channels/shop/conflicts');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(15);
    expect(all.body.pipelines).toEqual([
      { pipeline: 'a-to-b', total: 12, reportedAt: expect.any(String) as string },
      { pipeline: 'b-to-a', total: 3, reportedAt: expect.any(String) as string },
    ]);
    expect(all.body.conflicts.map((c) => c.position)).toEqual(['0-1-40', '0-1-30', '0-1-20', '0-1-10', '0-1-5']);
    expect(all.body.conflicts[0]).toEqual(conflict('a-to-b', 40, 'ab 40'));
    expect(all.body.conflicts[4]!.incoming!.note).toBe(`${'y'.repeat(200)}…`);
    const two = await api.get<{ conflicts: ConflictRecord[] }>('/api/v1/channels/shop/conflicts?limit=2');
    expect(two.body.conflicts.map((c) => c.pipeline)).toEqual(['a-to-b', 'b-to-a']);
    expect((await api.get<ErrorBody>('/api/v1/channels/shop/conflicts?limit=0')).status).toBe(400);
    expect((await api.get<ErrorBody>('/api/v1/channels/nope/conflicts')).status).toBe(404);

    const view = await api.get<ChannelView>('/api/v1/channels/shop');
    expect(view.body.pipelines.map((p) => p.conflicts)).toEqual([12, 3]);
    const openapi = await api.get<{ paths: Record<string, unknown> }>('/api/v1/openapi.json');
    expect(Object.keys(openapi.body.paths)).toContain('/api/v1/channels/{name}/conflicts');
  });
});
