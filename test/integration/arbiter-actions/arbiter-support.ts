import { Writable } from 'node:stream';
import { onTestFinished } from 'vitest';
import { acknowledgeRollback, type ArbiterContext } from '../../../shared/cluster/arbiter/index.ts';
import { EventLog } from '../../../shared/cluster/event-log.ts';
import type { AssignmentRecord, NodeRecord, PermitRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { readRecord } from '../../../shared/cluster/zk-records.ts';
import { createLogger, silentLogger, type Logger } from '../../../shared/logging.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, eventually, testManager } from '../manager/manager-support.ts';
import type { ManagerOptions } from '../../../manager/index.ts';

/** Fake nodes, channel setup and log capture for the arbiter's integration tests. */

export const WAIT_MS = 60_000; // generous: two cores, shared with other test runs

export const readJsonNode = async <T>(zk: ZkClient, path: string): Promise<T | undefined> => (await readRecord<T>(zk, path))?.value;

export const readPermit = (zk: ZkClient, name = 'c1') => readJsonNode<PermitRecord>(zk, zkPaths.permit(name));
export const readAssignment = (zk: ZkClient, pipeline = 'p1') => readJsonNode<AssignmentRecord>(zk, zkPaths.assignment(pipeline));

export interface FakeNode {
  id: string;
  zk: ZkClient;
  /** rollbackIds acknowledged, in order. */
  acked: string[];
}

/**
 * A node reduced to what the arbiter sees: its ephemeral registration, and (when `ack`) a
 * watch on the channel's permit that acknowledges every new rollbackId, as a real node does
 * once it has dropped its batches.
 */
export async function fakeNode(connect: string, id: string, options: { channel?: string; ack?: boolean } = {}): Promise<FakeNode> {
  const zk = await zkClient(connect);
  const record: NodeRecord = { id, dc: 'dc1', address: `127.0.0.1:7${id.length}00`, capacity: { pipelines: 10 }, state: 'up', version: 'test', startedAt: new Date().toISOString() };
  await zk.mkdirp(zkPaths.nodes);
  await zk.create(zkPaths.node(id), JSON.stringify(record), 'ephemeral');
  const node: FakeNode = { id, zk, acked: [] };
  if (options.ack === false) return node;
  const channelName = options.channel ?? 'c1';
  let stopped = false;
  onTestFinished(() => void (stopped = true));
  const look = async (): Promise<void> => {
    if (stopped) return;
    // exists() arms the watch whether or not the permit is there yet.
    if ((await zk.exists(zkPaths.permit(channelName), () => void look().catch(() => undefined))) === null) return;
    const permit = await readPermit(zk, channelName);
    const rollbackId = permit?.rollbackId;
    if (rollbackId !== undefined && !node.acked.includes(rollbackId)) {
      node.acked.push(rollbackId);
      await acknowledgeRollback(zk, channelName, id, rollbackId);
    }
  };
  await look();
  return node;
}

/** Data sources a and b, channel c1 with pipeline p1, through the API of a new manager. */
export async function managerWithChannel(connect: string, options: Partial<ManagerOptions> = {}) {
  const manager = await testManager(connect, options);
  const api = apiClient(manager.url);
  await api.post('/api/v1/datasources', dataSource('a', 3306));
  await api.post('/api/v1/datasources', dataSource('b', 3307));
  const created = await api.post('/api/v1/channels', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }]));
  if (created.status !== 201) throw new Error(`channel not created: ${JSON.stringify(created.body)}`);
  return { manager, api };
}

/** Starts c1 and waits for the leader to assign p1. */
export async function startAndPlace(api: ReturnType<typeof apiClient>, zk: ZkClient): Promise<AssignmentRecord> {
  const started = await api.post('/api/v1/channels/c1/start');
  if (started.status !== 200) throw new Error(`start refused: ${JSON.stringify(started.body)}`);
  return eventually(() => readAssignment(zk), WAIT_MS, 'the leader to assign p1');
}

export function arbiterContext(zk: ZkClient, extra: Partial<ArbiterContext> = {}): ArbiterContext {
  return { zk, log: silentLogger(), events: new EventLog(zk), ...extra };
}

/** A logger whose lines (parsed) land in `lines`, in the order they are written. */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}
