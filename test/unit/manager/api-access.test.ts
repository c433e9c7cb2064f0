import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../manager/api/auth.ts';
import type { ApiContext } from '../../../manager/api/context.ts';
import { guardRoutes } from '../../../manager/api/route-guard.ts';
import { buildApi } from '../../../manager/api/server.ts';
import { SignInLimiter } from '../../../manager/api/sign-in-limiter.ts';
import { FerryMetrics } from '../../../shared/metrics/registry.ts';
import type { TokenRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';

/** Access control of the API without a server: routes fail closed, failed sign-ins are limited. */

const ADMIN = 'unit-admin-token';

/** A ZooKeeper holding only the given tokens, counting reads (token lookups). */
function tokenZk(tokens: Record<string, TokenRecord> = {}) {
  const byPath = new Map(Object.entries(tokens).map(([token, record]) => [zkPaths.token(sha256Hex(token)), record]));
  const counts = { reads: 0 };
  const zk = {
    getData: (path: string) => {
      counts.reads += 1;
      const record = byPath.get(path);
      if (record === undefined) return Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { operation: 'getData', path, detail: 'no node' }));
      return Promise.resolve({ data: Buffer.from(JSON.stringify(record)), version: 0 });
    },
    // Listing tokens (admin's GET /tokens) shows none: only lookups are counted.
    getChildren: () => Promise.resolve([]),
  } as unknown as ZkClient;
  return { zk, counts };
}

function context(zk: ZkClient, extra: Partial<ApiContext> = {}): ApiContext {
  const noStore = () => {
    throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'test', path: '/', detail: 'no store in unit tests' });
  };
  return { managerId: () => 'm1', adminToken: ADMIN, log: silentLogger(), zk: () => zk, store: noStore, isLeader: () => false, ...extra };
}

describe('API routes fail closed', () => {
  it('lists every route with the action it requires; none lacks one', async () => {
    const app = await buildApi(context(tokenZk().zk));
    const table = app.routeAccess.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url} ${r.action}`);
    expect(app.routeAccess.every((r) => typeof r.action === 'string')).toBe(true);
    expect(table.sort()).toEqual([
      'DELETE /api/v1/channels/:name config.write',
      'DELETE /api/v1/datasources/:groupKey config.write',
      'DELETE /api/v1/tokens/:name tokens',
      'GET /* public',
      'GET /api/v1/alarms read',
      'GET /api/v1/audit audit.read',
      'GET /api/v1/channels read',
      'GET /api/v1/channels/:name read',
      'GET /api/v1/channels/:name/conflicts read',
      'GET /api/v1/channels/:name/history read',
      'GET /api/v1/channels/:name/stats/history read',
      'GET /api/v1/channels/:name/verify read',
      'GET /api/v1/channels/:name/verify/:jobId read',
      'GET /api/v1/cluster read',
      'GET /api/v1/datasources read',
      'GET /api/v1/datasources/:groupKey read',
      'GET /api/v1/datasources/:groupKey/history read',
      'GET /api/v1/datasources/:groupKey/switch-readiness read',
      'GET /api/v1/events read',
      'GET /api/v1/health public',
      'GET /api/v1/openapi.json public',
      'GET /api/v1/tokens tokens',
      'GET /api/v1/tokens/:name/history tokens',
      'GET /api/v1/whoami read',
      'GET /metrics read',
      'POST /api/v1/alarms/:id/clear alarm.clear',
      'POST /api/v1/channels config.write',
      'POST /api/v1/channels/:name/pause channel.run',
      'POST /api/v1/channels/:name/restart channel.run',
      'POST /api/v1/channels/:name/revert config.write',
      'POST /api/v1/channels/:name/rollback channel.run',
      'POST /api/v1/channels/:name/start channel.run',
      'POST /api/v1/channels/:name/stop channel.run',
      'POST /api/v1/channels/:name/verify channel.run',
      'POST /api/v1/channels/:name/warning channel.run',
      'POST /api/v1/datasources config.write',
      'POST /api/v1/datasources/:groupKey/revert config.write',
      'POST /api/v1/datasources/:groupKey/switch datasource.switch',
      'POST /api/v1/internal/stats stats.report',
      'POST /api/v1/tokens tokens',
      'PUT /api/v1/channels/:name config.write',
      'PUT /api/v1/datasources/:groupKey config.write',
    ]);
    await app.close();
  });

  it('GET /metrics: any valid token reads it; without one only with --metrics-public', async () => {
    const { zk } = tokenZk({ 'viewer-token': { name: 'v', role: 'viewer', createdAt: 'x' }, 'node-token': { name: 'n', role: 'node', node: 'n1', createdAt: 'x' } });
    const metrics = new FerryMetrics();
    const guarded = await buildApi(context(zk, { metrics: { metrics } }));
    expect((await guarded.inject({ url: '/metrics' })).statusCode).toBe(401);
    for (const token of ['viewer-token', 'node-token', ADMIN]) {
      const answer = await guarded.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-type']).toContain('text/plain');
      expect(answer.body).toContain('# TYPE ferry_zk_session_state gauge');
    }
    await guarded.close();
    const open = await buildApi(context(zk, { metrics: { metrics, public: true } }));
    expect(open.routeAccess.find((r) => r.url === '/metrics' && r.method === 'GET')?.action).toBe('public');
    expect((await open.inject({ url: '/metrics' })).statusCode).toBe(200);
    await open.close();
  });

  it('refuses to add a route that declares no action', async () => {
    const app = Fastify();
    guardRoutes(app);
    app.get('/declared', { config: { action: 'read' } }, () => 'ok');
    expect(() => app.get('/open', () => 'oops')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_API_ROUTE_UNGUARDED', details: { route: 'GET /open' } }));
    await app.close();
  });
});

describe('failed sign-ins', () => {
  const limits = { failures: 3, windowMs: 60_000, maxAddresses: 2 };

  it('answers 429 with Retry-After after too many failures from an address, without looking tokens up', async () => {
    const { zk, counts } = tokenZk({ 'viewer-token': { name: 'v', role: 'viewer', createdAt: 'x' } });
    const app = await buildApi(context(zk, { signInLimits: limits }));
    // A route that needs a token and no ZooKeeper beyond the token lookup: /tokens (403 for a viewer).
    const tokens = (token: string | null, remoteAddress = '10.0.0.1') =>
      app.inject({ url: '/api/v1/tokens', remoteAddress, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    // Successful sign-ins are not counted.
    for (let i = 0; i < 5; i++) expect((await tokens('viewer-token')).statusCode).toBe(403);
    expect((await tokens(null)).statusCode).toBe(401);
    expect((await tokens('guess-1')).statusCode).toBe(401);
    expect((await tokens('guess-2')).statusCode).toBe(401);
    const readsBefore = counts.reads;
    const limited = await tokens('guess-3');
    expect(limited.statusCode).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ code: 'FERRY_ERR_API_RATE_LIMITED', details: { address: '10.0.0.1', retryAfterSeconds: 60 } });
    expect(limited.headers['retry-after']).toBe('60');
    expect((await tokens(null)).statusCode).toBe(429);
    expect(counts.reads).toBe(readsBefore);
    // Another address is not affected; tokens proven before and the bootstrap token still pass.
    expect((await tokens('guess-4', '10.0.0.2')).statusCode).toBe(401);
    expect((await tokens('viewer-token')).statusCode).toBe(403);
    expect((await tokens(ADMIN)).statusCode).toBe(200);
    // Unknown routes answer 404 without a token; health needs none and is never limited.
    expect((await app.inject({ url: '/api/v1/nothing', remoteAddress: '10.0.0.3' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/health', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    await app.close();
  });

  it('forgets an address once its window ends, and tracks a bounded number of addresses', () => {
    let now = 0;
    const limiter = new SignInLimiter(limits, () => now);
    for (let i = 0; i < 3; i++) limiter.failed('a');
    expect(limiter.retryAfterSeconds('a')).toBe(60);
    now = 59_001;
    expect(limiter.retryAfterSeconds('a')).toBe(1);
    now = 60_000;
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    for (const address of ['b', 'c', 'd', 'e']) limiter.failed(address);
    expect(limiter.trackedAddresses).toBe(2);
    for (let i = 0; i < 1000; i++) limiter.acceptedToken(`hash-${i}`);
    expect(limiter.wasAccepted('hash-0')).toBe(false);
    expect(limiter.wasAccepted('hash-999')).toBe(true);
  });
});
