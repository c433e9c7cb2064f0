import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../../manager/api/server.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { FerryError } from '../../../shared/errors/index.ts';

/**
 * The API's refusals that need no ZooKeeper (authentication by the bootstrap token, schema
 * validation, routing), through fastify's inject. Any route that got as far as ZooKeeper
 * would answer 503 from the fake session below.
 */

const ADMIN = 'unit-admin-token';

async function api(): Promise<FastifyInstance> {
  const noSession = () => {
    throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'test', path: '/', detail: 'no ZooKeeper in unit tests' });
  };
  return buildApi({ managerId: () => 'm1', adminToken: ADMIN, log: silentLogger(), zk: noSession, store: noSession, isLeader: () => false });
}

const auth = { authorization: `Bearer ${ADMIN}` };
type Problem = { path: string; message: string };
const problems = (body: string) => (JSON.parse(body) as { details: { errors: Problem[] } }).details.errors;

describe('API errors without a server', () => {
  it('answers health and refuses a missing token before looking at the body', async () => {
    const app = await api();
    expect(JSON.parse((await app.inject({ url: '/api/v1/health' })).body)).toEqual({ ok: true, id: 'm1', leader: false });
    const anonymous = await app.inject({ method: 'POST', url: '/api/v1/channels', payload: '{nope' , headers: { 'content-type': 'application/json' } });
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ code: 'FERRY_ERR_API_UNAUTHORIZED', workaround: expect.stringContaining('Bearer') as string });
    // Another token needs ZooKeeper to look up; with none, a 503, not a 500.
    expect((await app.inject({ url: '/api/v1/channels', headers: { authorization: 'Bearer other' } })).statusCode).toBe(503);
  });

  it('lists every schema problem of a channel in words, one per field', async () => {
    const app = await api();
    const response = await app.inject({
      method: 'POST', url: '/api/v1/channels', headers: auth,
      payload: { name: 'c 1', extra: true, pipelines: [{ name: 'p', source: 'a', target: 'b', tables: ['s.*', { sorce: 'x.y' }, 7], ddl: 'drop', batch: { maxRows: 0 } }] },
    });
    expect(response.statusCode).toBe(400);
    expect(problems(response.body)).toEqual([
      { path: '/extra', message: 'unknown field \'extra\'; known fields: name, description, pipelines' },
      { path: '/name', message: expect.stringMatching(/^is not valid: Channel name/) as string },
      { path: '/pipelines/0/batch/maxRows', message: 'must be >= 1' },
      { path: '/pipelines/0/ddl', message: "must be one of 'stop', 'apply', 'ignore'" },
      { path: '/pipelines/0/tables/1/sorce', message: "unknown field 'sorce'; known fields: source, target, columns" },
      { path: '/pipelines/0/tables/1/source', message: 'is required' },
      { path: '/pipelines/0/tables/2', message: 'must be a string or an object' },
    ]);
  });

  it('turns malformed JSON, wrong content types and bad parameters into 400s', async () => {
    const app = await api();
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/datasources', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"a":' });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ code: 'FERRY_ERR_API_BAD_REQUEST', details: { errors: [{ path: '' }] } });
    expect((await app.inject({ method: 'POST', url: '/api/v1/datasources', headers: { ...auth, 'content-type': 'text/csv' }, payload: 'a,b' })).statusCode).toBe(400);
    const badName = await app.inject({ url: '/api/v1/channels/-x', headers: auth });
    expect(problems(badName.body)).toEqual([{ path: 'params:/name', message: expect.stringMatching(/^is not valid/) as string }]);
    const badVersion = await app.inject({ method: 'DELETE', url: '/api/v1/datasources/db?version=x', headers: auth });
    expect(problems(badVersion.body)).toEqual([{ path: 'querystring:/version', message: expect.stringMatching(/^is not valid/) as string }]);
  });

  it('answers unknown routes with a 404 in the same format', async () => {
    const app = await api();
    const response = await app.inject({ url: '/api/v1/nope?x=1', headers: auth });
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'FERRY_ERR_API_NOT_FOUND', message: 'route GET /api/v1/nope does not exist' });
  });
});
