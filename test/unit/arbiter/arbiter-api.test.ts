import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../../manager/api/server.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';

/**
 * The arbiter, event and alarm routes up to the point where they would reach ZooKeeper:
 * roles, schemas, the OpenAPI document. A route that got to ZooKeeper answers 503 here.
 */

const ADMIN = 'unit-admin-token';
const auth = { authorization: `Bearer ${ADMIN}` };

async function api(): Promise<FastifyInstance> {
  const noSession = () => {
    throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'test', path: '/', detail: 'no ZooKeeper in unit tests' });
  };
  return buildApi({ managerId: () => 'm1', adminToken: ADMIN, log: silentLogger(), zk: noSession, store: noSession, isLeader: () => false });
}

const problemPaths = (body: string) => (JSON.parse(body) as { details: { errors: { path: string }[] } }).details.errors.map((e) => e.path);

describe('arbiter routes without a server', () => {
  it('lists the new routes in the OpenAPI document', async () => {
    const app = await api();
    const document = JSON.parse((await app.inject({ url: '/api/v1/openapi.json' })).body) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(expect.arrayContaining([
      'POST /api/v1/channels/{name}/rollback', 'POST /api/v1/channels/{name}/restart', 'POST /api/v1/channels/{name}/warning',
      'GET /api/v1/events', 'GET /api/v1/alarms', 'POST /api/v1/alarms/{id}/clear',
    ]));
  });

  it('accepts a missing body and refuses a wrong one, every problem listed', async () => {
    const app = await api();
    // No body at all gets as far as ZooKeeper (503 here), so the schema let it through.
    expect((await app.inject({ method: 'POST', url: '/api/v1/channels/c1/rollback', headers: auth })).statusCode).toBe(503);
    expect((await app.inject({ method: 'POST', url: '/api/v1/channels/c1/restart', headers: auth, payload: { reason: 'failover drill' } })).statusCode).toBe(503);
    const wrongName = await app.inject({ method: 'POST', url: '/api/v1/channels/c%201/restart', headers: auth });
    expect(problemPaths(wrongName.body)).toEqual(['params:/name']);
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/channels/c1/restart', headers: auth, payload: { reason: '', why: 1 } });
    expect(wrong.statusCode).toBe(400);
    expect(problemPaths(wrong.body)).toEqual(expect.arrayContaining(['/reason', '/why']));
    const warning = await app.inject({ method: 'POST', url: '/api/v1/channels/c1/warning', headers: auth, payload: {} });
    expect(warning.statusCode).toBe(400);
    expect(problemPaths(warning.body)).toEqual(['/reason']);
  });

  it('checks query strings and alarm ids', async () => {
    const app = await api();
    const events = await app.inject({ url: '/api/v1/events?limit=0&type=rollback&colour=red', headers: auth });
    expect(events.statusCode).toBe(400);
    expect(problemPaths(events.body)).toEqual(expect.arrayContaining(['querystring:/limit', 'querystring:/type', 'querystring:/colour']));
    expect((await app.inject({ url: '/api/v1/events?limit=5&channel=c1&type=ROLLBACK', headers: auth })).statusCode).toBe(503);
    const clear = await app.inject({ method: 'POST', url: '/api/v1/alarms/no-colon/clear', headers: auth });
    expect(clear.statusCode).toBe(400);
    expect(problemPaths(clear.body)).toEqual(['params:/id']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/alarms/lag:p1/clear', headers: auth })).statusCode).toBe(503);
  });

  it('refuses arbiter actions without a token', async () => {
    const app = await api();
    for (const url of ['/api/v1/channels/c1/rollback', '/api/v1/channels/c1/restart', '/api/v1/alarms/lag:p1/clear']) {
      expect((await app.inject({ method: 'POST', url })).statusCode).toBe(401);
    }
    expect((await app.inject({ url: '/api/v1/events' })).statusCode).toBe(401);
  });
});
