import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AuditEntry } from '../../../manager/audit/index.ts';
import { pruneAuditLog } from '../../../manager/audit/index.ts';
import { startManagerProcess } from '../../support/cluster.ts';
import { runFerry } from '../../support/cli.ts';
import { zkAuthEnv } from '../../support/zk-identities.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { ADMIN_TOKEN, apiClient, channel, dataSource, eventually, testManager, type ApiClient, type ErrorBody } from './manager-support.ts';

/**
 * The audit log through the API, with several managers writing at once: every write (and
 * every failed sign-in) is listed exactly once by every manager, in one order, with who,
 * what and how it ended; reads are not; no secret is stored; the file and retention work.
 */

interface AuditPage {
  entries: AuditEntry[];
  next?: string;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-audit-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const readLines = async (file: string): Promise<AuditEntry[]> =>
  (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditEntry);

/** Every entry, newest first, one page of 1000. */
async function allEntries(api: ApiClient, query = ''): Promise<AuditEntry[]> {
  const page = await api.get<AuditPage>(`/api/v1/audit?limit=1000${query}`);
  expect(page.status).toBe(200);
  return page.body.entries;
}

/** What a request is expected to leave in the log. */
interface Expected {
  manager: string;
  method: string;
  path: string;
  status: number;
  by: string | null;
  role: string | null;
  code?: string;
}

const key = (e: Expected | AuditEntry) => `${e.manager} ${e.method} ${e.path} ${e.status} ${e.by} ${e.role} ${e.code ?? '-'}`;

describe('the audit log', () => {
  it('lists every write of three managers writing at once exactly once, in one order, from any manager', async () => {
    const zk = await zkChroot();
    const dir = await tempDir();
    const files = [join(dir, 'm1.jsonl'), join(dir, 'm2.jsonl'), join(dir, 'm3.jsonl')];
    const managers = await Promise.all(files.map((file, i) => testManager(zk, { id: `m${i + 1}`, audit: { file } })));
    const admins = managers.map((m) => apiClient(m.url));
    const started = new Date();
    const expected: Expected[] = [];
    // Requests one manager made one after another, in that order.
    const chains = new Map<string, Expected[]>();

    // Tokens first (their creation is audited too; their values must appear nowhere).
    const secrets: string[] = [];
    const roles = ['operator', 'viewer'] as const;
    const tokens: Record<string, string> = {};
    for (const role of roles) {
      const created = await admins[0]!.post<{ token: string }>('/api/v1/tokens', { name: `t-${role}`, role });
      expect(created.status).toBe(201);
      tokens[role] = created.body.token;
      secrets.push(created.body.token);
      expected.push({ manager: 'm1', method: 'POST', path: '/api/v1/tokens', status: 201, by: 'admin', role: 'admin' });
    }

    // Each manager at once: creates, an edit, a stale edit (409), a bad body (400), a missing
    // data source (404), a write its token may not make (403), failed sign-ins (401) on a
    // write and on a read, and reads that must not be audited.
    const rounds = managers.map(async (manager, i) => {
      const id = `m${i + 1}`;
      const admin = admins[i]!;
      const viewer = apiClient(manager.url, tokens.viewer);
      const operator = apiClient(manager.url, tokens.operator);
      const stranger = apiClient(manager.url, `wrong-token-${i}-0123456789`);
      const password = `pw-secret-${i}-xyz`;
      secrets.push(password, `wrong-token-${i}-0123456789`);
      const run = async (call: () => Promise<{ status: number }>, e: Omit<Expected, 'manager'>, chain?: Expected[]) => {
        const response = await call();
        expect(response.status, key({ ...e, manager: id })).toBe(e.status);
        expected.push({ ...e, manager: id });
        chain?.push({ ...e, manager: id });
      };
      const chain: Expected[] = [];
      chains.set(id, chain);
      await Promise.all([
        (async () => {
          await run(() => admin.post('/api/v1/datasources', dataSource(`src${i}`, 3306, { password })), { method: 'POST', path: '/api/v1/datasources', status: 201, by: 'admin', role: 'admin' }, chain);
          await run(() => admin.post('/api/v1/datasources', dataSource(`dst${i}`, 3307, { password })), { method: 'POST', path: '/api/v1/datasources', status: 201, by: 'admin', role: 'admin' }, chain);
          await run(() => admin.put(`/api/v1/datasources/src${i}`, dataSource(`src${i}`, 3316, { password })), { method: 'PUT', path: `/api/v1/datasources/src${i}`, status: 200, by: 'admin', role: 'admin' }, chain);
          await run(() => admin.put(`/api/v1/datasources/src${i}`, dataSource(`src${i}`, 3326), { 'if-match': '0' }), { method: 'PUT', path: `/api/v1/datasources/src${i}`, status: 409, by: 'admin', role: 'admin', code: 'FERRY_ERR_API_CONFLICT' }, chain);
          await run(() => admin.post('/api/v1/channels', channel(`c${i}`, [{ name: `p${i}`, source: `src${i}`, target: `dst${i}` }])), { method: 'POST', path: '/api/v1/channels', status: 201, by: 'admin', role: 'admin' }, chain);
          await run(() => operator.post(`/api/v1/channels/c${i}/pause`, { reason: 'audit test' }), { method: 'POST', path: `/api/v1/channels/c${i}/pause`, status: 200, by: 't-operator', role: 'operator' }, chain);
        })(),
        run(() => admin.post('/api/v1/datasources', { groupKey: `bad${i}`, password }), { method: 'POST', path: '/api/v1/datasources', status: 400, by: 'admin', role: 'admin', code: 'FERRY_ERR_API_BAD_REQUEST' }),
        run(() => admin.del(`/api/v1/datasources/missing${i}`), { method: 'DELETE', path: `/api/v1/datasources/missing${i}`, status: 404, by: 'admin', role: 'admin', code: 'FERRY_ERR_API_NOT_FOUND' }),
        run(() => viewer.post('/api/v1/datasources', dataSource(`v${i}`, 3306, { password })), { method: 'POST', path: '/api/v1/datasources', status: 403, by: 't-viewer', role: 'viewer', code: 'FERRY_ERR_API_FORBIDDEN' }),
        run(() => stranger.post('/api/v1/datasources', dataSource(`s${i}`, 3306)), { method: 'POST', path: '/api/v1/datasources', status: 401, by: null, role: null, code: 'FERRY_ERR_API_UNAUTHORIZED' }),
        run(() => stranger.get('/api/v1/cluster'), { method: 'GET', path: '/api/v1/cluster', status: 401, by: null, role: null, code: 'FERRY_ERR_API_UNAUTHORIZED' }),
        viewer.get('/api/v1/datasources').then((r) => expect(r.status).toBe(200)),
        admin.get('/api/v1/channels').then((r) => expect(r.status).toBe(200)),
      ]);
    });
    await Promise.all(rounds);
    expect(expected).toHaveLength(2 + 3 * 11);

    // Entries are written after the answers: wait until every one is there.
    const listed = await eventually(async () => {
      const entries = await allEntries(admins[2]!);
      return entries.length >= expected.length ? entries : undefined;
    }, 60_000, 'every write in the audit log');
    expect(listed.map(key).sort()).toEqual(expected.map(key).sort());

    // One order, newest first, whichever manager answers.
    const ids = listed.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const api of admins.slice(0, 2)) expect((await allEntries(api)).map((e) => e.id)).toEqual(listed.map((e) => e.id));
    // A manager's entries keep the order of its requests (one ZooKeeper session writes them in order).
    for (const [id, chain] of chains) {
      const chainKeys = new Set(chain.map(key));
      expect([...listed].reverse().filter((e) => chainKeys.has(key(e))).map(key), id).toEqual(chain.map(key));
    }

    // Every entry says where and when; a refused or failed one says why.
    for (const entry of listed) {
      expect(entry.ip).toBe('127.0.0.1');
      expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(started.getTime() - 1_000);
      expect(entry.route === null || entry.route.startsWith('/api/v1/')).toBe(true);
      if (entry.status >= 400) expect(entry.code).toMatch(/^FERRY_ERR_/);
    }
    const created = listed.find((e) => e.path === '/api/v1/datasources' && e.status === 201)!;
    expect(created.route).toBe('/api/v1/datasources');
    expect((created.body as { password?: string }).password).toBe('[redacted]');
    const edit = listed.find((e) => e.method === 'PUT' && e.status === 200)!;
    expect(edit.route).toBe('/api/v1/datasources/:groupKey');

    // No secret anywhere: data source passwords, token values, the admin token.
    const everything = JSON.stringify(listed);
    for (const secret of [...secrets, ADMIN_TOKEN]) expect(everything).not.toContain(secret);

    // Each manager's file holds its own entries, the same ones, created 0600.
    for (const [i, file] of files.entries()) {
      const lines = await eventually(async () => {
        const found = await readLines(file);
        return found.length >= listed.filter((e) => e.manager === `m${i + 1}`).length ? found : undefined;
      }, 60_000, `the entries of m${i + 1} in its audit file`);
      expect(lines.sort((a, b) => Number(b.id) - Number(a.id))).toEqual(listed.filter((e) => e.manager === `m${i + 1}`));
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.stringify(lines)).not.toContain('pw-secret');
    }

    // Filters.
    const only = async (query: string) => (await allEntries(admins[1]!, query)).map((e) => e.id);
    const ids_ = (pick: (e: AuditEntry) => boolean) => listed.filter(pick).map((e) => e.id);
    expect(await only('&by=t-operator')).toEqual(ids_((e) => e.by === 't-operator'));
    expect(await only('&method=DELETE')).toEqual(ids_((e) => e.method === 'DELETE'));
    expect(await only('&method=GET')).toEqual(ids_((e) => e.method === 'GET'));
    expect(await only('&path=/api/v1/datasources/src1')).toEqual(ids_((e) => e.path.startsWith('/api/v1/datasources/src1')));
    expect(await only('&status=4xx')).toEqual(ids_((e) => e.status >= 400 && e.status < 500));
    expect(await only('&status=409')).toEqual(ids_((e) => e.status === 409));
    expect(await only(`&since=${encodeURIComponent(started.toISOString())}`)).toEqual(ids_(() => true));
    expect(await only(`&until=${encodeURIComponent(started.toISOString())}`)).toEqual([]);
    expect((await only(`&since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`))).toEqual([]);

    // Paging: pages of 4, newest first, end to end, the last without `next`.
    const paged: string[] = [];
    let before = '';
    for (;;) {
      const page = await admins[0]!.get<AuditPage>(`/api/v1/audit?limit=4${before}`);
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(4);
      paged.push(...page.body.entries.map((e) => e.id));
      if (page.body.next === undefined) break;
      expect(page.body.next).toBe(page.body.entries.at(-1)!.id);
      before = `&before=${page.body.next}`;
    }
    expect(paged).toEqual(listed.map((e) => e.id));

    // Bad filters: a 400 listing every problem; not admin: 403. Reading the log is not audited.
    const bad = await admins[0]!.get<ErrorBody>('/api/v1/audit?status=4x&limit=0&since=yesterday&until=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('FERRY_ERR_API_BAD_REQUEST');
    expect(bad.body.details.errors!.map((e) => e.path).sort()).toEqual(['querystring:/limit', 'querystring:/status']);
    const badTimes = await admins[0]!.get<ErrorBody>('/api/v1/audit?since=yesterday&until=soon');
    expect(badTimes.body.details.errors!.map((e) => e.path).sort()).toEqual(['querystring:/since', 'querystring:/until']);
    expect((await admins[0]!.get<ErrorBody>('/api/v1/audit?colour=red')).status).toBe(400);
    expect((await apiClient(managers[0]!.url, tokens.operator).get('/api/v1/audit')).status).toBe(403);
    expect((await apiClient(managers[0]!.url, tokens.viewer).get('/api/v1/audit')).status).toBe(403);
    expect((await allEntries(admins[0]!)).map((e) => e.id)).toEqual(listed.map((e) => e.id));
  });

  it('keeps the newest entries when several managers prune at once, and prunes by age', async () => {
    const zk = await zkChroot();
    const managers = await Promise.all([1, 2].map((i) => testManager(zk, { id: `p${i}`, audit: { keep: 5, pruneIntervalMs: 0 } })));
    const apis = managers.map((m) => apiClient(m.url));
    // 24 refused writes (404s), both managers at once, each pruning after every write.
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => apis[i % 2]!.post(`/api/v1/channels/none${i}/start`)));
    expect(results.map((r) => r.status)).toEqual(Array(24).fill(404));
    // Pruning follows the writes: wait for the state it leaves, the newest 5 of all written.
    const zkc = await zkClient(zk);
    const kept = await eventually(async () => {
      const names = await zkc.getChildren('/ferry/v1/audit');
      return names.length === 5 ? names : undefined;
    }, 60_000, 'the audit log pruned to 5 entries');
    const entries = await allEntries(apis[0]!);
    expect(entries.map((e) => `entry-${e.id.padStart(10, '0')}`).sort()).toEqual([...kept].sort());
    expect(entries.every((e) => e.status === 404)).toBe(true);

    // By age: entries received before the cutoff go, newer ones stay (the count is not the reason).
    const old = entries.map((e) => e.id);
    const newestOld = Math.max(...entries.map((e) => Date.parse(e.at)));
    await eventually(() => (Date.now() > newestOld + 5 ? true : undefined), 10_000, 'the clock to pass the last entry');
    const cutoff = Date.now();
    for (let i = 0; i < 3; i++) expect((await apis[1]!.del(`/api/v1/channels/young${i}`)).status).toBe(404);
    const young = await eventually(async () => {
      const now = await allEntries(apis[0]!);
      // Pruning follows each write: wait until it also left the newest 5.
      return now.filter((e) => e.path.includes('young')).length === 3 && now.length === 5 ? now : undefined;
    }, 60_000, 'the young entries, pruned to 5');
    expect(young.filter((e) => old.includes(e.id)).length).toBe(2);
    const removed = await pruneAuditLog(zkc, { keep: 100, maxAgeMs: 60_000 }, undefined, cutoff + 60_000);
    expect(removed).toBe(2);
    expect((await allEntries(apis[0]!)).map((e) => e.path)).toEqual(['/api/v1/channels/young2', '/api/v1/channels/young1', '/api/v1/channels/young0']);
  });

  it('a manager prunes entries older than its maximum age as it writes', async () => {
    const zk = await zkChroot();
    const manager = await testManager(zk, { id: 'a1', audit: { maxAgeMs: 3_000, pruneIntervalMs: 0 } });
    const api = apiClient(manager.url);
    expect((await api.del('/api/v1/channels/old')).status).toBe(404);
    const [old] = await eventually(async () => {
      const entries = await allEntries(api);
      return entries.length === 1 ? entries : undefined;
    }, 60_000, 'the first entry');
    // Once it is older than the maximum age, the next write prunes it (the count is far from the limit).
    await eventually(() => (Date.now() > Date.parse(old!.at) + 3_500 ? true : undefined), 60_000, 'the first entry to age');
    expect((await api.del('/api/v1/channels/new')).status).toBe(404);
    await eventually(async () => ((await allEntries(api)).some((e) => e.id === old!.id) ? undefined : true), 60_000, 'the old entry pruned');
  });

  it('bin/ferry manager appends to --audit-file, keeps --audit-keep entries, and refuses a file it cannot write at start', async () => {
    const zk = await zkChroot();
    const dir = await tempDir();
    const file = join(dir, 'audit.jsonl');
    const manager = await startManagerProcess(zk, 'cli-m1', ['--audit-file', file, '--audit-keep', '3', '--audit-days', '1']);
    for (let i = 0; i < 6; i++) expect((await manager.api.post('/api/v1/datasources', dataSource(`ds${i}`, 3306))).status).toBe(201);
    const lines = await eventually(async () => {
      const found = await readLines(file).catch(() => []);
      return found.length === 6 ? found : undefined;
    }, 60_000, 'six lines in the audit file');
    expect(lines.every((l) => l.manager === 'cli-m1' && l.by === 'admin' && l.status === 201)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('secret-pw');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const kept = await eventually(async () => {
      const entries = await allEntries(manager.api);
      return entries.length === 3 ? entries : undefined;
    }, 60_000, 'the audit log pruned to 3 entries');
    expect(kept.map((e) => e.id)).toEqual(lines.slice(3).map((l) => l.id).reverse());

    const refused = await runFerry(['manager', '--zk', zk, '--port', '0', '--audit-file', join(dir, 'no-such-dir', 'audit.jsonl')], {
      env: { FERRY_ADMIN_TOKEN: ADMIN_TOKEN, ...zkAuthEnv('manager'), FERRY_LOG_LEVEL: 'silent' },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FERRY_ERR_AUDIT_FILE');
    expect(refused.stderr).toContain('no-such-dir');
  });
});
