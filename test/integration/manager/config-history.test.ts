import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryPruner } from '../../../manager/config/history-retention.ts';
import type { DataSourceSpecT, DataSourceView } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { KeyFile, newKeyLine, openPassword } from '../../../shared/secrets/index.ts';
import { testSecretKeyFile } from '../../support/secret-key.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, testManager, type ApiClient } from './manager-support.ts';

/**
 * Configuration history and revert through the API, with two managers writing at once: every
 * change is one history entry written in the change's own multi-op, so none is lost or doubled.
 */

interface DiffItem { path: string; op: string; from?: unknown; to?: unknown; secret?: true }
interface Entry { version: number; by: string; at: string; change: string; diff: DiffItem[]; revertOf?: number; reason?: string }
interface History { name: string; entries: Entry[] }

/** Two managers on one chroot, and on each an API client with a token of its own (alice on m1, bob on m2). */
async function twoManagers() {
  const connect = await zkChroot();
  const [m1, m2] = await Promise.all([testManager(connect), testManager(connect)]);
  const admin = apiClient(m1.url);
  const tokenOf = async (name: string) => {
    const created = await admin.post<{ token: string }>('/api/v1/tokens', { name, role: 'admin' });
    expect(created.status).toBe(201);
    return created.body.token;
  };
  const [alice, bob] = [apiClient(m1.url, await tokenOf('alice')), apiClient(m2.url, await tokenOf('bob'))];
  return { connect, url: m1.url, admin, alice, bob };
}

async function withSources(api: ApiClient) {
  expect((await api.post('/api/v1/datasources', dataSource('src', 3306))).status).toBe(201);
  expect((await api.post('/api/v1/datasources', dataSource('dst', 3307))).status).toBe(201);
}

const orders = (parallel: number, description: string) => channel('orders', [{ name: 'orders-p', source: 'src', target: 'dst' }], { description, pipelines: [{ name: 'orders-p', source: 'src', target: 'dst', tables: ['shop.*'], parallel }] });

/** The view without what a new version changes by itself. */
const specPart = ({ version: _v, ...rest }: Record<string, unknown>) => rest;

describe('configuration history through two managers', () => {
  it('keeps exactly one entry per change of 20 concurrent channel edits, and a revert restores a version as a new one', async () => {
    const { url, admin, alice, bob } = await twoManagers();
    await withSources(admin);
    expect((await alice.post('/api/v1/channels', orders(1, 'created'))).status).toBe(201);
    const created = (await admin.get<Record<string, unknown>>('/api/v1/channels/orders')).body;

    // Each manager applies 10 edits one after another, both at the same time.
    const edits = (api: ApiClient, who: string) => (async () => {
      for (let i = 1; i <= 10; i++) {
        const put = await api.put('/api/v1/channels/orders', orders(i, `${who}-${i}`));
        expect(put.status, JSON.stringify(put.body)).toBe(200);
      }
    })();
    await Promise.all([edits(alice, 'alice'), edits(bob, 'bob')]);

    const history = await admin.get<History>('/api/v1/channels/orders/history');
    expect(history.status).toBe(200);
    const { entries } = history.body;
    expect(entries).toHaveLength(21);
    const versions = entries.map((e) => e.version);
    expect(new Set(versions).size).toBe(21);
    expect(versions).toEqual([...versions].sort((a, b) => b - a)); // newest first, strictly decreasing
    expect(entries.at(-1)).toMatchObject({ change: 'create', by: 'api:alice' });
    const updates = entries.slice(0, 20);
    expect(updates.every((e) => e.change === 'update')).toBe(true);
    expect(updates.filter((e) => e.by === 'api:alice')).toHaveLength(10);
    expect(updates.filter((e) => e.by === 'api:bob')).toHaveLength(10);
    // Each diff says what that edit set: its own description, once.
    const descriptions = updates.map((e) => e.diff.find((d) => d.path === '/description')?.to);
    expect(new Set(descriptions)).toEqual(new Set([...Array.from({ length: 10 }, (_, i) => `alice-${i + 1}`), ...Array.from({ length: 10 }, (_, i) => `bob-${i + 1}`)]));

    // Paging: two pages of 10 and one of 1 give the same list.
    const page1 = (await admin.get<History>('/api/v1/channels/orders/history?limit=10')).body.entries;
    const page2 = (await admin.get<History>(`/api/v1/channels/orders/history?limit=10&before=${page1.at(-1)!.version}`)).body.entries;
    const page3 = (await admin.get<History>(`/api/v1/channels/orders/history?limit=10&before=${page2.at(-1)!.version}`)).body.entries;
    expect([...page1, ...page2, ...page3].map((e) => e.version)).toEqual(versions);

    // Revert to the creation: the GET equals the one after creating, in a new version by the reverter.
    const createdVersion = entries.at(-1)!.version;
    const reverted = await bob.post<Record<string, unknown>>('/api/v1/channels/orders/revert', { version: createdVersion, reason: 'back to the start' });
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(200);
    const now = (await admin.get<Record<string, unknown>>('/api/v1/channels/orders')).body;
    expect(specPart(now)).toEqual(specPart(created));
    const newest = (await admin.get<History>('/api/v1/channels/orders/history?limit=1')).body.entries[0]!;
    expect(newest).toMatchObject({ change: 'update', by: 'api:bob', revertOf: createdVersion, reason: 'back to the start' });
    expect(newest.version).toBeGreaterThan(versions[0]!);

    // Unknown version: 404 with a code; a bad body: 400; a viewer may not revert.
    expect((await admin.post('/api/v1/channels/orders/revert', { version: 999_999 })).body.code).toBe('FERRY_ERR_HISTORY_VERSION_NOT_FOUND');
    expect((await admin.post('/api/v1/channels/orders/revert', { version: 'x' })).status).toBe(400);
    expect((await admin.post('/api/v1/channels/orders/revert', { version: 1, extra: true })).status).toBe(400);
    const operator = await admin.post<{ token: string }>('/api/v1/tokens', { name: 'olga', role: 'operator' });
    expect((await apiClient(url, operator.body.token).post('/api/v1/channels/orders/revert', { version: createdVersion })).status).toBe(403);
  });

  it('refuses to revert a running channel, keeps history after a delete and undoes the delete', async () => {
    const { admin } = await twoManagers();
    await withSources(admin);
    await admin.post('/api/v1/channels', orders(2, 'first'));
    const first = (await admin.get<Record<string, unknown>>('/api/v1/channels/orders')).body;
    await admin.put('/api/v1/channels/orders', orders(3, 'second'));
    const createdVersion = (await admin.get<History>('/api/v1/channels/orders/history')).body.entries.at(-1)!.version;

    expect((await admin.post('/api/v1/channels/orders/start')).status).toBe(200);
    const running = await admin.post('/api/v1/channels/orders/revert', { version: createdVersion });
    expect(running.status).toBe(409);
    expect(running.body.code).toBe('FERRY_ERR_API_CONFLICT');
    expect((await admin.post('/api/v1/channels/orders/stop')).status).toBe(200);

    expect((await admin.del('/api/v1/channels/orders')).status).toBe(204);
    const afterDelete = (await admin.get<History>('/api/v1/channels/orders/history')).body.entries;
    expect(afterDelete.map((e) => e.change)).toEqual(['delete', 'update', 'create']);
    expect((await admin.post('/api/v1/channels/orders/revert', { version: afterDelete[0]!.version })).body.code).toBe('FERRY_ERR_HISTORY_NOT_REVERTIBLE');

    expect((await admin.post('/api/v1/channels/orders/revert', { version: createdVersion })).status).toBe(200);
    const back = (await admin.get<Record<string, unknown>>('/api/v1/channels/orders')).body;
    expect({ ...specPart(back), statusAt: null, statusBy: null }).toEqual({ ...specPart(first), statusAt: null, statusBy: null });
    expect((await admin.get<History>('/api/v1/channels/orders/history?limit=1')).body.entries[0]).toMatchObject({ change: 'create', revertOf: createdVersion });
    expect((await admin.get('/api/v1/channels/nothing/history')).status).toBe(404);
  });

  it('reverts a data source without flipping its active member, restoring its password, never showing one', async () => {
    const { connect, admin, alice, bob } = await twoManagers();
    const standby = { host: '127.0.0.9', port: 3306 };
    await alice.post('/api/v1/datasources', dataSource('db', 3306, { standby, password: 'pw-one' }));
    const createdVersion = (await admin.get<History>('/api/v1/datasources/db/history')).body.entries[0]!.version;
    expect((await bob.put('/api/v1/datasources/db', dataSource('db', 3310, { standby, password: 'pw-two', dc: 'dc2' }))).status).toBe(200);
    expect((await bob.post('/api/v1/datasources/db/switch', { to: 'standby', force: true })).status).toBe(200);

    const before = (await admin.get<History>('/api/v1/datasources/db/history')).body.entries;
    expect(before.map((e) => e.change)).toEqual(['update', 'update', 'create']);
    expect(before[0]!.diff).toEqual([{ path: '/active', op: 'replace', from: 'master', to: 'standby' }]);
    expect(before[1]!.diff).toContainEqual({ path: '/password', op: 'replace', secret: true });
    expect(before[1]!.diff).toContainEqual({ path: '/master/port', op: 'replace', from: 3306, to: 3310 });

    const reverted = await alice.post<DataSourceView>('/api/v1/datasources/db/revert', { version: createdVersion });
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(200);
    const now = (await admin.get<DataSourceView>('/api/v1/datasources/db')).body;
    expect(now).toMatchObject({ master: { host: '127.0.0.1', port: 3306 }, dc: 'dc1', active: 'standby', hasPassword: true });
    const stored = JSON.parse((await (await zkClient(connect)).getData(zkPaths.dataSource('db'))).data.toString('utf8')) as DataSourceSpecT;
    const keys = KeyFile.open(testSecretKeyFile());
    expect(openPassword(() => keys.current(), 'db', stored.password)).toBe('pw-one');
    const after = (await admin.get<History>('/api/v1/datasources/db/history')).body;
    expect(after.entries[0]).toMatchObject({ by: 'api:alice', revertOf: createdVersion });
    expect(after.entries[0]!.diff).toContainEqual({ path: '/password', op: 'replace', secret: true });
    expect(after.entries[0]!.diff.some((d) => d.path === '/active')).toBe(false);

    const everything = JSON.stringify([after, (await admin.get('/api/v1/datasources/db')).body]);
    for (const secret of ['pw-one', 'pw-two', 'ferry-secret:']) expect(everything).not.toContain(secret);
  });

  it('has one entry per effective write of interleaved data source switches and replacements from both managers', async () => {
    const { alice, bob } = await twoManagers();
    const standby = { host: '127.0.0.9', port: 3306 };
    await alice.post('/api/v1/datasources', dataSource('db', 3306, { standby }));
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => {
      const api = i % 2 === 0 ? alice : bob;
      return i % 4 === 0
        ? api.put('/api/v1/datasources/db', dataSource('db', 4000 + i, { standby }))
        : api.post('/api/v1/datasources/db/switch', { to: i % 3 === 0 ? 'standby' : 'master', force: true });
    }));
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    const final = (await alice.get<DataSourceView>('/api/v1/datasources/db')).body;
    const { entries } = (await bob.get<History>('/api/v1/datasources/db/history?limit=1000')).body;
    // The znode's data version counts its writes since creation; a no-op switch writes nothing and records nothing.
    expect(entries).toHaveLength(final.version + 1);
    expect(new Set(entries.map((e) => e.version)).size).toBe(entries.length);
    expect(entries.slice(0, -1).every((e) => e.change === 'update' && e.diff.length > 0)).toBe(true);
  });

  it('refuses to restore a password sealed under a key the manager does not hold, unless keepPassword', async () => {
    const connect = await zkChroot();
    const m1 = await testManager(connect);
    const api1 = apiClient(m1.url);
    await api1.post('/api/v1/datasources', dataSource('db', 3306, { password: 'old-key-pw' }));
    const createdVersion = (await api1.get<History>('/api/v1/datasources/db/history')).body.entries[0]!.version;
    await api1.put('/api/v1/datasources/db', dataSource('db', 3311, { password: 'another' }));
    const dir = mkdtempSync(join(tmpdir(), 'ferry-history-key-'));
    const otherKey = join(dir, 'other.key');
    writeFileSync(otherKey, `${newKeyLine()}\n`, { mode: 0o600 });
    const m2 = await testManager(connect, { secretKeyFile: otherKey });
    const api2 = apiClient(m2.url);
    const refused = await api2.post('/api/v1/datasources/db/revert', { version: createdVersion });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('FERRY_ERR_HISTORY_SECRET_UNAVAILABLE');
    expect((await api2.get<DataSourceView>('/api/v1/datasources/db')).body.master.port).toBe(3311);
    const kept = await api2.post<DataSourceView>('/api/v1/datasources/db/revert', { version: createdVersion, keepPassword: true });
    expect(kept.status).toBe(200);
    expect(kept.body.master.port).toBe(3306);
  });

  it('records tokens by name and role, never the token', async () => {
    const { url, admin } = await twoManagers();
    const created = await admin.post<{ token: string }>('/api/v1/tokens', { name: 'carol', role: 'viewer' });
    expect((await admin.del('/api/v1/tokens/carol')).status).toBe(204);
    const history = await admin.get<History>('/api/v1/tokens/carol/history');
    expect(history.body.entries.map((e) => [e.change, e.by])).toEqual([['delete', 'api:admin'], ['create', 'api:admin']]);
    expect(history.body.entries[1]!.diff).toContainEqual({ path: '/role', op: 'add', to: 'viewer' });
    expect(JSON.stringify(history.body)).not.toContain(created.body.token);
    expect((await apiClient(url, created.body.token).get('/api/v1/tokens/carol/history')).status).toBe(401);
  });

  it('prunes by count on every write and by age, through two managers', async () => {
    const connect = await zkChroot();
    const [m1, m2] = await Promise.all([testManager(connect, { historyRetention: { versions: 5 } }), testManager(connect, { historyRetention: { versions: 5 } })]);
    const apis = [apiClient(m1.url), apiClient(m2.url)];
    await apis[0]!.post('/api/v1/datasources', dataSource('db', 3000));
    await Promise.all(apis.map(async (api, m) => {
      for (let i = 1; i <= 6; i++) expect((await api.put('/api/v1/datasources/db', dataSource('db', 3000 + m * 100 + i))).status).toBe(200);
    }));
    const entries = (await apis[0]!.get<History>('/api/v1/datasources/db/history')).body.entries;
    expect(entries).toHaveLength(5);
    const current = (await apis[0]!.get<DataSourceView>('/api/v1/datasources/db')).body;
    expect(entries[0]!.diff.find((d) => d.path === '/master/port')?.to).toBe(current.master.port);

    // Ninety-one days later: an existing entity keeps its newest entry; a deleted one loses all.
    await apis[1]!.post('/api/v1/datasources', dataSource('gone', 3001));
    await apis[1]!.del('/api/v1/datasources/gone');
    const zk = await zkClient(connect);
    const pruner = new HistoryPruner(() => zk, { versions: 5, days: 90 });
    await pruner.sweep(Date.now() + 91 * 86_400_000);
    expect((await apis[0]!.get<History>('/api/v1/datasources/db/history')).body.entries.map((e) => e.version)).toEqual([entries[0]!.version]);
    expect(await zk.exists(zkPaths.configHistory('datasources', 'gone'))).toBeNull();
    expect((await apis[0]!.get('/api/v1/datasources/gone/history')).status).toBe(404);
    // Creating it again after its history went starts a new one.
    expect((await apis[0]!.post('/api/v1/datasources', dataSource('gone', 3001))).status).toBe(201);
    expect((await apis[0]!.get<History>('/api/v1/datasources/gone/history')).body.entries.map((e) => e.change)).toEqual(['create']);
  });
});
