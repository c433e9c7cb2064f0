import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { STATS_RECORDS_MAX } from '../../../manager/api/schemas.ts';
import { TABLE_RULES_MAX } from '../../../shared/config/pipeline-spec.ts';
import { buildApi } from '../../../manager/api/server.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { FerryError } from '../../../shared/errors/index.ts';

/**
 * The API's refusals that need no ZooKeeper (authentication by the bootstrap token, schema
 * validation, routing), through fastify's inject. Any route that got as far as ZooKeeper
 * would answer 503 from the fake session below.
 */

const ADMIN = 'unit-admin-token';

async function api(options: { fail?: () => never; log?: ReturnType<typeof silentLogger> } = {}): Promise<FastifyInstance> {
  const noSession = options.fail ?? (() => {
    throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'test', path: '/', detail: 'no ZooKeeper in unit tests' });
  });
  return buildApi({ managerId: () => 'm1', adminToken: ADMIN, log: options.log ?? silentLogger(), zk: noSession, store: noSession, isLeader: () => false });
}

const pipelineWith = (extra: Record<string, unknown>) => ({ name: 'c', pipelines: [{ name: 'p', source: 'a', target: 'b', tables: ['shop.*'], ...extra }] });

/** A raw request over a real socket, for what inject cannot send (oversized headers). */
async function rawGet(app: FastifyInstance, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  try {
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    await app.close();
  }
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
      { path: '/extra', message: 'unknown field \'extra\'; known fields: name, description, pipelines, bidirectional' },
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

  it(`caps a pipeline's table rules at ${TABLE_RULES_MAX} with a coded 400`, async () => {
    const app = await api();
    const tables = Array.from({ length: TABLE_RULES_MAX + 1 }, (_, i) => `shop.t${i}`);
    const response = await app.inject({ method: 'POST', url: '/api/v1/channels', headers: auth, payload: pipelineWith({ tables }) });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'FERRY_ERR_API_BAD_REQUEST' });
    expect(problems(response.body)).toEqual([{ path: '/pipelines/0/tables', message: expect.stringContaining(String(TABLE_RULES_MAX)) as string }]);
  });

  it(`caps a stats report at ${STATS_RECORDS_MAX} records with a coded 400`, async () => {
    const app = await api();
    const stat = { pipeline: 'p', node: 'n1', epoch: 1, state: 'running', position: null, lagMs: 0, rowsPerSecond: 0, at: 'now' };
    const response = await app.inject({ method: 'POST', url: '/api/v1/internal/stats', headers: auth, payload: { node: 'n1', stats: Array.from({ length: STATS_RECORDS_MAX + 1 }, () => stat) } });
    expect(response.statusCode).toBe(400);
    expect(problems(response.body)).toEqual([{ path: '/stats', message: expect.stringContaining(String(STATS_RECORDS_MAX)) as string }]);
  });

  it('refuses unknown precheck ids, listing the known ones', async () => {
    const app = await api();
    const response = await app.inject({ method: 'POST', url: '/api/v1/channels', headers: auth, payload: pipelineWith({ skipPrechecks: ['primary_keys', 'no_such_check'] }) });
    expect(response.statusCode).toBe(400);
    expect(problems(response.body)).toEqual([{ path: '/pipelines/0/skipPrechecks/1', message: expect.stringContaining("'binlog_format'") as string }]);
  });

  it('refuses unknown fields in the body of start, pause and stop', async () => {
    const app = await api();
    for (const action of ['start', 'pause', 'stop']) {
      const response = await app.inject({ method: 'POST', url: `/api/v1/channels/c/${action}`, headers: auth, payload: { force: true } });
      expect(response.statusCode, action).toBe(400);
      expect(problems(response.body), action).toEqual([{ path: '/force', message: "unknown field 'force'; known fields: reason" }]);
    }
  });

  it("answers fastify's and Node's own refusals in the Ferry error shape", async () => {
    const app = await api();
    const badEncoding = await app.inject({ url: '/api/v1/channels/%E0%A4%A', headers: auth });
    expect(badEncoding.statusCode).toBe(400);
    expect(JSON.parse(badEncoding.body)).toMatchObject({ code: 'FERRY_ERR_API_BAD_REQUEST', details: { errors: [{ path: 'url' }] } });
    const longParam = await app.inject({ url: `/api/v1/channels/${'a'.repeat(200)}`, headers: auth });
    expect(JSON.parse(longParam.body)).toMatchObject({ code: 'FERRY_ERR_API_BAD_REQUEST', details: { errors: [{ path: 'url' }] } });
    const tooLarge = await app.inject({ method: 'POST', url: '/api/v1/channels', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"a":"${'x'.repeat(2_000_000)}"}` });
    expect(JSON.parse(tooLarge.body)).toMatchObject({ code: 'FERRY_ERR_API_BAD_REQUEST' });
    const hugeHeaders = await rawGet(app, `/api/v1/health?${'x'.repeat(100_000)}`, {});
    expect(hugeHeaders.status).toBe(400);
    expect(JSON.parse(hugeHeaders.body)).toMatchObject({ code: 'FERRY_ERR_API_BAD_REQUEST', details: { errors: [{ path: 'headers' }] } });
  });

  it('answers a 500 with a reference id only, and logs the error under that id', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = await api({ log, fail: () => { throw new Error('connect ECONNREFUSED 10.9.8.7:2181 at /srv/secret/path'); } });
    const response = await app.inject({ url: '/api/v1/channels', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/ECONNREFUSED|10\.9\.8\.7|secret/);
    const body = JSON.parse(response.body) as { code: string; details: { reference: string } };
    expect(body.code).toBe('FERRY_ERR_INTERNAL');
    expect(body.details.reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toContainEqual(expect.objectContaining({ reference: body.details.reference, err: expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') as string }) as unknown }));
  });
});
