import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, onTestFinished } from 'vitest';
import type { ChannelView, PipelineView } from '../../manager/index.ts';
import { ADMIN_TOKEN, apiClient, eventually, type ApiClient } from '../integration/manager/manager-support.ts';
import { startFerry, type FerryProcess } from './ferry-process.ts';
import { replicationPair, type ReplicationPair } from './mariadb.ts';
import { zkChroot } from './zookeeper.ts';

/**
 * A real cluster for one test: `bin/ferry manager` and `bin/ferry node` processes on a fresh
 * ZooKeeper chroot, the test's replication pair registered as data sources 'src' and 'dst',
 * and a channel 'orders' whose one pipeline (named after the pair's schema, so the pair's
 * clean-up removes its checkpoint) replicates the schema. Everything goes through the API.
 * `dcs` puts source and target in datacenters of their own (split pipelines).
 */

/** Short ZooKeeper sessions keep failover tests quick. */
export const SESSION_MS = 4_000;

export interface ManagerProcess {
  id: string;
  url: string;
  process: FerryProcess;
  api: ApiClient;
}

export interface TestCluster {
  pair: ReplicationPair;
  zk: string;
  managers: ManagerProcess[];
  api: ApiClient;
  channel: string;
  pipeline: string;
  nodes: Map<string, FerryProcess>;
  /** Starts (or starts again) node `id` with its own cache directory, in datacenter `dc` (default dc1). */
  startNode(id: string, extra?: string[], dc?: string): Promise<FerryProcess>;
  /** The channel's one pipeline as the API reports it (through the first live manager). */
  pipelineView(): Promise<PipelineView>;
  /** Waits until the pipeline runs on a node (optionally a given one, or any but one) and returns the view. */
  runningOn(where?: { node?: string; not?: string }, timeoutMs?: number): Promise<PipelineView>;
}

export async function startManagerProcess(zk: string, id: string, extra: string[] = []): Promise<ManagerProcess> {
  const process = startFerry(['manager', '--zk', zk, '--port', '0', '--id', id, '--session-timeout-ms', String(SESSION_MS), ...extra], { FERRY_ADMIN_TOKEN: ADMIN_TOKEN });
  const url = await eventually(() => /listening on (\S+)/.exec(process.output())?.[1], 30_000, `manager ${id} to listen`);
  return { id, url, process, api: apiClient(url) };
}

/**
 * `pair`: replicate this pair (another cluster's, on a new chroot) rather than a new one.
 * `credentials`: the data sources' users (default: the run's replication and app users).
 * `pipelineFields`: more fields of the pipeline's spec (e.g. `initialCopy: true`).
 */
export async function testCluster(options: { managers?: number; managerArgs?: string[]; nodes?: string[]; batchRows?: number; pair?: ReplicationPair; credentials?: Record<'source' | 'target', { user: string; password: string }>; dcs?: { source: string; target: string }; pipelineFields?: Record<string, unknown> } = {}): Promise<TestCluster> {
  const pair = options.pair ?? (await replicationPair());
  const zk = await zkChroot();
  const { users } = inject('services');
  const managers = await Promise.all(Array.from({ length: options.managers ?? 2 }, (_, i) => startManagerProcess(zk, `m${i + 1}`, options.managerArgs)));
  const liveApi = () => (managers.find((m) => m.process.child.exitCode === null && m.process.child.signalCode === null) ?? managers[0]!).api;
  const api = managers[0]!.api;

  const cacheRoot = await mkdtemp(join(tmpdir(), 'ferry-cluster-'));
  onTestFinished(() => rm(cacheRoot, { recursive: true, force: true }));
  const nodes = new Map<string, FerryProcess>();
  // Node tokens are per node: one for each id, made the first time that node starts.
  const tokens = new Map<string, string>();
  const tokenOf = async (id: string) => {
    if (!tokens.has(id)) {
      const created = await api.post<{ token: string }>('/api/v1/tokens', { name: `node-${id}`, role: 'node', node: id });
      expect(created.status).toBe(201);
      tokens.set(id, created.body.token);
    }
    return tokens.get(id)!;
  };
  const startNode = async (id: string, extra: string[] = [], dc = 'dc1') => {
    const token = await tokenOf(id);
    const node = startFerry(['node', '--zk', zk, '--id', id, '--dc', dc, '--cache-dir', join(cacheRoot, id), '--session-timeout-ms', String(SESSION_MS), '--stats-seconds', '1', ...extra], { FERRY_NODE_TOKEN: token });
    nodes.set(id, node);
    await eventually(() => (node.output().includes(`node ${id} registered`) ? true : undefined), 30_000, `node ${id} to register`);
    return node;
  };
  for (const id of options.nodes ?? ['n1']) await startNode(id);

  const endpoint = (db: typeof pair.source) => ({ host: db.instance.host, port: db.instance.port });
  expect((await api.post('/api/v1/datasources', { groupKey: 'src', dc: options.dcs?.source ?? 'dc1', master: endpoint(pair.source), ...(options.credentials?.source ?? users.replication) })).status).toBe(201);
  expect((await api.post('/api/v1/datasources', { groupKey: 'dst', dc: options.dcs?.target ?? 'dc1', master: endpoint(pair.target), ...(options.credentials?.target ?? users.app) })).status).toBe(201);
  const pipeline = pair.schema;
  const spec = { name: 'orders', pipelines: [{ name: pipeline, source: 'src', target: 'dst', tables: [`${pair.schema}.*`], batch: { maxRows: options.batchRows ?? 50 }, ...options.pipelineFields }] };
  expect((await api.post('/api/v1/channels', spec)).status).toBe(201);

  const pipelineView = async () => (await liveApi().get<ChannelView>('/api/v1/channels/orders')).body.pipelines[0]!;
  // Running there means its node claimed the pipeline in the target: the fence holds its epoch
  // (reported stats may still be the previous node's for a moment).
  const fenceEpoch = async () => {
    const [rows] = await pair.target.connection.query('SELECT epoch FROM _ferry.fences WHERE pipeline = ?', [pipeline]).catch(() => [[]]);
    return Number((rows as { epoch: number }[])[0]?.epoch ?? -1);
  };
  const runningOn = (where: { node?: string; not?: string } = {}, timeoutMs = 60_000) => eventually(async () => {
    const view = await pipelineView();
    const placed = view.node !== null && (where.node === undefined || view.node === where.node) && view.node !== where.not;
    return placed && view.epoch !== null && (await fenceEpoch()) === view.epoch ? view : undefined;
  }, timeoutMs, `the pipeline to run${where.node ? ` on ${where.node}` : ''}${where.not ? ` off ${where.not}` : ''}`);
  return { pair, zk, managers, api, channel: 'orders', pipeline, nodes, startNode, pipelineView, runningOn };
}
