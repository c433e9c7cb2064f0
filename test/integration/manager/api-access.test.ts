import { describe, expect, it } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, testManager } from './manager-support.ts';

/** Tokens and roles, the cluster view, health, 404s and the OpenAPI document, over real HTTP. */

async function setup() {
  const zk = await zkChroot();
  const manager = await testManager(zk);
  return { manager, api: apiClient(manager.url) };
}

describe('manager API: auth, tokens, cluster, documents', () => {
  it('needs a token with the right role; tokens are created, used and deleted', async () => {
    const { manager, api } = await setup();
    const anonymous = apiClient(manager.url, null);
    expect((await anonymous.get('/api/v1/datasources')).body.code).toBe('FERRY_ERR_API_UNAUTHORIZED');
    expect((await apiClient(manager.url, 'wrong-token').get('/api/v1/datasources')).status).toBe(401);
    // Unauthenticated requests are refused before the body is looked at.
    expect((await anonymous.post('/api/v1/datasources', '{bad')).status).toBe(401);

    const tokens: Record<string, string> = {};
    for (const role of ['viewer', 'operator', 'node'] as const) {
      const created = await api.post<{ name: string; role: string; token: string }>('/api/v1/tokens', { name: `${role}-1`, role, ...(role === 'node' ? { node: 'n1' } : {}) });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      tokens[role] = created.body.token;
    }
    expect((await api.post('/api/v1/tokens', { name: 'viewer-1', role: 'admin' })).status).toBe(409);
    const listed = await api.get<{ name: string; role: string }[]>('/api/v1/tokens');
    expect(listed.body.map((t) => `${t.name}:${t.role}`)).toEqual(['node-1:node', 'operator-1:operator', 'viewer-1:viewer']);
    expect(JSON.stringify(listed.body)).not.toContain(tokens.viewer);

    const viewer = apiClient(manager.url, tokens.viewer);
    const operator = apiClient(manager.url, tokens.operator);
    const node = apiClient(manager.url, tokens.node);
    expect((await viewer.get('/api/v1/datasources')).status).toBe(200);
    const forbidden = await viewer.post('/api/v1/datasources', dataSource('a', 3306));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'FERRY_ERR_API_FORBIDDEN', details: { role: 'viewer', action: 'config.write' } });
    expect((await operator.post('/api/v1/datasources', dataSource('a', 3306))).status).toBe(403);
    expect((await operator.get('/api/v1/tokens')).status).toBe(403);
    expect((await node.post('/api/v1/internal/stats', { node: 'n1', stats: [] })).status).toBe(204);
    expect((await viewer.post('/api/v1/internal/stats', { node: 'n1', stats: [] })).status).toBe(403);

    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    await api.post('/api/v1/channels', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }]));
    expect((await operator.post<ChannelView>('/api/v1/channels/c1/start')).body.statusBy).toBe('api:operator-1');
    expect((await viewer.post('/api/v1/channels/c1/stop')).status).toBe(403);

    expect((await api.del('/api/v1/tokens/viewer-1')).status).toBe(204);
    expect((await viewer.get('/api/v1/datasources')).status).toBe(401);
    expect((await api.del('/api/v1/tokens/viewer-1')).status).toBe(404);
  });

  it('answers health, cluster, 404s and the OpenAPI document', async () => {
    const { manager, api } = await setup();
    const anonymous = apiClient(manager.url, null);
    expect((await anonymous.get('/api/v1/health')).body).toMatchObject({ ok: true, id: manager.id });
    const cluster = await api.get<{ leader: string; managers: { id: string; url: string; leader: boolean }[]; nodes: unknown[]; configEpoch: number }>('/api/v1/cluster');
    expect(cluster.body).toEqual({ leader: manager.id, managers: [{ id: manager.id, url: manager.url, leader: true, startedAt: expect.any(String) as string }], nodes: [], vanished: [], configEpoch: 0 });

    const unknown = await api.get('/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'FERRY_ERR_API_NOT_FOUND', details: { what: 'route' } });
    expect((await api.get('/api/v1/channels/none')).body.code).toBe('FERRY_ERR_API_NOT_FOUND');

    const openapi = await anonymous.get<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>> }>('/api/v1/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toMatch(/^3\./);
    const routes = Object.entries(openapi.body.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(expect.arrayContaining([
      'GET /api/v1/datasources', 'POST /api/v1/datasources', 'GET /api/v1/datasources/{groupKey}', 'PUT /api/v1/datasources/{groupKey}',
      'DELETE /api/v1/datasources/{groupKey}', 'POST /api/v1/datasources/{groupKey}/switch',
      'GET /api/v1/channels', 'POST /api/v1/channels', 'GET /api/v1/channels/{name}', 'PUT /api/v1/channels/{name}', 'DELETE /api/v1/channels/{name}',
      'POST /api/v1/channels/{name}/start', 'POST /api/v1/channels/{name}/pause', 'POST /api/v1/channels/{name}/stop',
      'GET /api/v1/cluster', 'GET /api/v1/health', 'GET /api/v1/tokens', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/{name}', 'POST /api/v1/internal/stats',
    ]));
    const bodyOf = (path: string, method: string) => JSON.stringify(openapi.body.paths[path]?.[method]?.requestBody?.content['application/json']?.schema);
    expect(bodyOf('/api/v1/channels', 'post')).toContain('ChannelSpec');
    expect(bodyOf('/api/v1/datasources', 'post')).toContain('DataSourceSpec');
    expect(bodyOf('/api/v1/internal/stats', 'post')).toContain('StatsReport');
  });
});
