import { describe, expect, it } from 'vitest';
import type { DataSourceView } from '../../../shared/cluster/model.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, testManager } from './manager-support.ts';

/**
 * Two managers on one configuration, edited at the same time through both: every edit is a
 * compare-and-set on the configuration epoch, so none is lost and none is applied twice.
 */

async function twoManagers() {
  const connect = await zkChroot();
  const [m1, m2] = await Promise.all([testManager(connect), testManager(connect)]);
  return { apis: [apiClient(m1.url), apiClient(m2.url)] as const };
}

const epochOf = async (api: ReturnType<typeof apiClient>) => (await api.get<{ configEpoch: number }>('/api/v1/cluster')).body.configEpoch;

describe('concurrent edits through two managers', () => {
  it('keeps all of 20 parallel creates, and the epoch grows by exactly 20', async () => {
    const { apis } = await twoManagers();
    const before = await epochOf(apis[0]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => apis[i % 2]!.post('/api/v1/datasources', dataSource(`ds${i}`, 3000 + i))));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const listed = await apis[1].get<DataSourceView[]>('/api/v1/datasources');
    expect(listed.body.map((d) => d.groupKey).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `ds${i}`).sort());
    expect(await epochOf(apis[1])).toBe(before + 20);
  });

  it('lets exactly one of two PUTs with the same If-Match win', async () => {
    const { apis } = await twoManagers();
    await apis[0].post('/api/v1/datasources', dataSource('db', 3306));
    const [r1, r2] = await Promise.all([
      apis[0].put<DataSourceView>('/api/v1/datasources/db', dataSource('db', 3311), { 'if-match': '0' }),
      apis[1].put<DataSourceView>('/api/v1/datasources/db', dataSource('db', 3312), { 'if-match': '0' }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const winner = r1.status === 200 ? r1 : r2;
    expect((await apis[1].get<DataSourceView>('/api/v1/datasources/db')).body).toEqual(winner.body);
  });

  it('never lets a data source be deleted while a channel being created names it', async () => {
    const { apis } = await twoManagers();
    for (let round = 0; round < 5; round++) {
      await apis[0].post('/api/v1/datasources', dataSource(`src${round}`, 3306));
      await apis[0].post('/api/v1/datasources', dataSource(`dst${round}`, 3307));
      const [created, deleted] = await Promise.all([
        apis[0].post('/api/v1/channels', channel(`c${round}`, [{ name: `p${round}`, source: `src${round}`, target: `dst${round}` }])),
        apis[1].del(`/api/v1/datasources/src${round}`),
      ]);
      // Either order is fine; both at once is not.
      expect([created.status, deleted.status].sort()).toEqual(created.status === 201 ? [201, 409] : [204, 400]);
    }
  });

  it('applies interleaved switches and replacements from both managers one after another', async () => {
    const { apis } = await twoManagers();
    await apis[0].post('/api/v1/datasources', dataSource('db', 3306, { standby: { host: '127.0.0.9', port: 3306 } }));
    const before = await epochOf(apis[0]);
    const ops = Array.from({ length: 20 }, (_, i) => (i % 4 === 0
      ? apis[i % 2]!.put('/api/v1/datasources/db', dataSource('db', 4000 + i, { standby: { host: '127.0.0.9', port: 3306 }, dc: `dc${i}` }))
      : apis[i % 2]!.post('/api/v1/datasources/db/switch', { to: i % 2 === 0 ? 'standby' : 'master', force: true })));
    const results = await Promise.all(ops);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const final = (await apis[0].get<DataSourceView>('/api/v1/datasources/db')).body;
    // Every effective write bumped the version and the epoch once (no-op switches write nothing).
    expect(await epochOf(apis[0])).toBe(before + final.version);
    expect(final.version).toBeGreaterThanOrEqual(5);
  });
});
