import { describe, expect, it } from 'vitest';
import { encode } from '../../../shared/cluster/config-store.ts';
import type { AssignmentRecord, TokenRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { sha256Hex } from '../../../manager/api/auth.ts';
import type { ChannelView } from '../../../manager/index.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, testManager } from './manager-support.ts';

/**
 * Node tokens are per node, and a manager shows a pipeline's figures only from the node
 * assigned to it at its current epoch: forged reports from a node token are never shown.
 */

async function setup() {
  const zk = await zkChroot();
  const manager = await testManager(zk);
  const api = apiClient(manager.url);
  const client = await zkClient(zk);
  await api.post('/api/v1/datasources', dataSource('a', 3306));
  await api.post('/api/v1/datasources', dataSource('b', 3307));
  await api.post('/api/v1/channels', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }]));
  // PAUSE keeps the assignment the test writes (STOP would have the leader remove it).
  expect((await api.post('/api/v1/channels/c1/pause')).status).toBe(200);
  const assignment: AssignmentRecord = { pipeline: 'p1', channel: 'c1', node: 'n1', epoch: 3, state: 'acked', at: new Date().toISOString() };
  await client.create(zkPaths.assignment('p1'), encode(assignment));
  const nodeToken = async (node: string) => {
    const created = await api.post<{ token: string; node: string }>('/api/v1/tokens', { name: `node-${node}`, role: 'node', node });
    expect(created.status).toBe(201);
    expect(created.body.node).toBe(node);
    return apiClient(manager.url, created.body.token);
  };
  return { manager, api, client, nodeToken };
}

const stat = (node: string, epoch: number, position: string, at = new Date().toISOString()) =>
  ({ pipeline: 'p1', node, epoch, state: 'running', position, lagMs: 5, rowsPerSecond: 10, at });

describe('manager API: node tokens and stats', () => {
  it('creates node tokens only with a node id, and refuses an old token that names none', async () => {
    const { manager, api, client } = await setup();
    const missing = await api.post('/api/v1/tokens', { name: 'n', role: 'node' });
    expect(missing.status).toBe(400);
    expect(missing.body.details.errors?.map((e) => e.path)).toEqual(['/node']);
    expect((await api.post('/api/v1/tokens', { name: 'v', role: 'viewer', node: 'n1' })).status).toBe(400);
    // A node token from before node ids: written as the old API wrote it.
    const legacy: TokenRecord = { name: 'old-nodes', role: 'node', createdAt: new Date().toISOString() };
    await client.create(zkPaths.token(sha256Hex('old-node-token')), encode(legacy));
    const refused = await apiClient(manager.url, 'old-node-token').post('/api/v1/internal/stats', { node: 'n1', stats: [stat('n1', 3, 'forged')] });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FERRY_ERR_API_NODE_TOKEN_UNBOUND', details: { name: 'old-nodes' } });
    expect((await api.get<ChannelView>('/api/v1/channels/c1')).body.pipelines[0]).toMatchObject({ position: null, reportedBy: null });
  });

  it('never shows a forged report: another node\'s name, an epoch other than the assignment\'s, a bad date', async () => {
    const { api, nodeToken } = await setup();
    const n1 = await nodeToken('n1');
    const n2 = await nodeToken('n2');
    expect((await n1.post('/api/v1/internal/stats', { node: 'n1', stats: [stat('n1', 3, 'real')] })).status).toBe(204);
    const shown = async () => (await api.get<ChannelView>('/api/v1/channels/c1')).body.pipelines[0]!;
    expect(await shown()).toMatchObject({ position: 'real', reportedBy: { node: 'n1', epoch: 3 } });

    // n2's token speaking as n1.
    const impostor = await n2.post('/api/v1/internal/stats', { node: 'n1', stats: [stat('n1', 3, 'forged-name')] });
    expect(impostor.status).toBe(403);
    expect(impostor.body).toMatchObject({ code: 'FERRY_ERR_API_NODE_MISMATCH', details: { tokenNode: 'n2', node: 'n1' } });
    // n2 as itself, for a pipeline assigned to n1: ignored.
    expect((await n2.post('/api/v1/internal/stats', { node: 'n2', stats: [stat('n2', 4, 'not-assigned')] })).status).toBe(204);
    // n1 with an epoch above the assignment's, which would hide its later real reports: ignored.
    expect((await n1.post('/api/v1/internal/stats', { node: 'n1', stats: [stat('n1', 999_999, 'absurd-epoch')] })).status).toBe(204);
    // Dates that do not parse or lie far ahead: refused.
    const badDates = await n1.post('/api/v1/internal/stats', { node: 'n1', stats: [stat('n1', 3, 'bad-date', 'soon'), stat('n1', 3, 'future', '2999-01-01T00:00:00Z')] });
    expect(badDates.status).toBe(400);
    expect(badDates.body.details.errors?.map((e) => e.path)).toEqual(['/stats/0/at', '/stats/1/at']);
    expect(await shown()).toMatchObject({ position: 'real', reportedBy: { node: 'n1', epoch: 3 } });

    // The real node goes on reporting and is shown.
    expect((await n1.post('/api/v1/internal/stats', { node: 'n1', stats: [stat('n1', 3, 'real-2')] })).status).toBe(204);
    expect(await shown()).toMatchObject({ position: 'real-2', reportedBy: { node: 'n1', epoch: 3 } });
  });
});
