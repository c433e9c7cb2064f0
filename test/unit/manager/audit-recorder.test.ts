import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ApiContext } from '../../../manager/api/context.ts';
import { buildApi } from '../../../manager/api/server.ts';
import { AuditFile, AuditRecorder } from '../../../manager/audit/index.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';

/** The audit hooks never hold or fail an answer because of ZooKeeper. */

function zkWhoseCreate(create: () => Promise<string>) {
  const calls = { creates: 0 };
  const zk = {
    getData: (path: string) => Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { operation: 'getData', path, detail: 'no node' })),
    create: () => {
      calls.creates += 1;
      return create();
    },
  } as unknown as ZkClient;
  return { zk, calls };
}

async function api(zk: ZkClient, file?: AuditFile, extra: Partial<ApiContext> = {}) {
  const audit = new AuditRecorder(() => zk, () => 'm1', silentLogger(), file === undefined ? {} : { file });
  const ctx: ApiContext = { managerId: () => 'm1', adminToken: 'unit-admin-token', log: silentLogger(), zk: () => zk, store: () => { throw new Error('no store'); }, isLeader: () => false, audit, ...extra };
  const app = await buildApi(ctx);
  onTestFinished(() => app.close());
  return { app, audit };
}

describe('audit recorder', () => {
  it('answers while ZooKeeper never completes the audit write, and audits no read', async () => {
    const { zk, calls } = zkWhoseCreate(() => new Promise<string>(() => undefined));
    const { app } = await api(zk);
    const refused = await app.inject({ method: 'POST', url: '/api/v1/channels/x/start', headers: { authorization: 'Bearer wrong-token-123' } });
    expect(refused.statusCode).toBe(401);
    await expect.poll(() => calls.creates).toBe(1);
    const read = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(read.statusCode).toBe(200);
    expect(calls.creates).toBe(1);
  });

  it('writes the entry to the file when ZooKeeper refuses it, once, without an id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-audit-unit-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'audit.jsonl');
    const { zk, calls } = zkWhoseCreate(() => Promise.reject(new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'create', path: '/x', detail: 'connection loss' })));
    const { app, audit } = await api(zk, AuditFile.open(path, silentLogger()));
    const refused = await app.inject({ method: 'DELETE', url: '/api/v1/tokens/ops', headers: { authorization: 'Bearer wrong-token-123' } });
    expect(refused.statusCode).toBe(401);
    await audit.close();
    expect(calls.creates).toBe(1);
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ method: 'DELETE', path: '/api/v1/tokens/ops', route: '/api/v1/tokens/:name', status: 401, by: null, code: 'FERRY_ERR_API_UNAUTHORIZED', manager: 'm1' })]);
    expect(lines[0]!.id).toBeUndefined();
    expect(JSON.stringify(lines)).not.toContain('wrong-token-123');
  });

  it('cannot be flooded without a token: URLs no route serves are not audited, rate-limited writes once a minute per address', async () => {
    const { zk, calls } = zkWhoseCreate(() => Promise.resolve('/ferry/v1/audit/entry-0000000001'));
    const { app } = await api(zk, undefined, { signInLimits: { failures: 2, windowMs: 60_000, maxAddresses: 100 } });
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'POST', url: `/api/v1/no-such-route/${i}` })).statusCode).toBe(404);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await app.inject({ method: 'POST', url: '/api/v1/channels/x/start', headers: { authorization: `Bearer guess-${i}-0123456789` } })).statusCode);
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429, 429, 429]);
    // Two failed sign-ins and the first refusal; nothing for the unknown URLs.
    await expect.poll(() => calls.creates).toBe(3);
    await app.inject({ method: 'POST', url: '/api/v1/no-such-route', headers: { authorization: 'Bearer guess-x-0123456789' } });
    expect(calls.creates).toBe(3);
  });

  it('refuses a file it cannot open, naming it', () => {
    expect(() => AuditFile.open('/proc/no-such-dir/audit.jsonl', silentLogger())).toThrow(expect.objectContaining({ code: 'FERRY_ERR_AUDIT_FILE' }));
    expect(() => AuditFile.open(tmpdir(), silentLogger())).toThrow(expect.objectContaining({ code: 'FERRY_ERR_AUDIT_FILE', message: expect.stringContaining(tmpdir()) as string }));
  });
});
