import { performance } from 'node:perf_hooks';
import { expect } from 'vitest';
import { EventLog, type EventRecord } from '../../../shared/cluster/event-log.ts';
import type { AssignmentRecord, NodeRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import type { ManagerOptions, RunningManager } from '../../../manager/index.ts';
import { zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, eventually, testManager, type ApiClient } from '../manager/manager-support.ts';

/**
 * The leader's scheduler against real ZooKeeper, with fake nodes: each fake node is an
 * ephemeral /nodes/<id> znode on its own ZooKeeper session, so closing that session makes
 * the node vanish at once, as a crash does once its session expires.
 */

export interface FakeNode {
  id: string;
  client: ZkClient;
  setState(state: NodeRecord['state']): Promise<void>;
  /** Ends its session: the znode vanishes at once. */
  vanish(): Promise<void>;
}

export async function fakeNode(connect: string, id: string, extra: Partial<NodeRecord> = {}): Promise<FakeNode> {
  const client = await zkClient(connect);
  const record: NodeRecord = { id, dc: 'dc1', address: `127.0.0.1:${7000 + id.length}`, capacity: { pipelines: 10 }, state: 'up', version: 'test', startedAt: new Date().toISOString(), ...extra };
  await client.mkdirp(zkPaths.nodes);
  await client.create(zkPaths.node(id), JSON.stringify(record), 'ephemeral');
  return {
    id,
    client,
    setState: async (state) => {
      await client.setData(zkPaths.node(id), JSON.stringify({ ...record, state }));
    },
    vanish: () => client.close(),
  };
}

export async function readAssignment(zk: ZkClient, pipeline: string): Promise<AssignmentRecord | null> {
  try {
    return JSON.parse((await zk.getData(zkPaths.assignment(pipeline))).data.toString()) as AssignmentRecord;
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return null;
    throw error;
  }
}

/** Waits until the pipeline's assignment satisfies `accept`; returns it with the test's monotonic time. */
export async function assignmentWhen(zk: ZkClient, pipeline: string, accept: (a: AssignmentRecord) => boolean, timeoutMs: number, what: string): Promise<{ record: AssignmentRecord; atMs: number }> {
  return eventually(async () => {
    const record = await readAssignment(zk, pipeline);
    return record && accept(record) ? { record, atMs: performance.now() } : undefined;
  }, timeoutMs, what);
}

/** Waits for an event matching `accept`. */
export async function eventWhen(zk: ZkClient, accept: (e: EventRecord) => boolean, timeoutMs: number, what: string): Promise<EventRecord> {
  const log = new EventLog(zk);
  return eventually(async () => (await log.list({ limit: 200 })).find(accept), timeoutMs, what);
}

export { staysTrue } from '../../support/waits.ts';

export interface Pipeline { name: string; source: string; target: string }

/**
 * A manager with data sources a (dc1) and b (dc2), and channel c1 of the given pipelines,
 * not started.
 */
export async function schedulerCluster(connect: string, options: Partial<ManagerOptions> = {}, pipelines: Pipeline[] = [{ name: 'p1', source: 'a', target: 'b' }], extra: Record<string, unknown> = {}): Promise<{ manager: RunningManager; api: ApiClient; admin: ZkClient }> {
  const manager = await testManager(connect, options);
  const api = apiClient(manager.url);
  expect((await api.post('/api/v1/datasources', dataSource('a', 3306))).status).toBe(201);
  expect((await api.post('/api/v1/datasources', dataSource('b', 3307, { dc: 'dc2' }))).status).toBe(201);
  expect((await api.post('/api/v1/channels', channel('c1', pipelines, extra))).status).toBe(201);
  return { manager, api, admin: await zkClient(connect) };
}
