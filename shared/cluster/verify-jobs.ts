import { isFerryError } from '../errors/index.ts';
import type { ZkClient, ZkOp } from '../zk/zk-client.ts';
import { readRecord, type Stored } from './zk-records.ts';
import { zkPaths } from './zk-paths.ts';

/*
 * Verify jobs (POST /api/v1/channels/{name}/verify): a manager writes the job and one part per
 * pipeline, and a task into the inbox of the node that holds the pipeline's load side (or the
 * whole pipeline); that node runs the part (it connects to the databases, managers never do)
 * and writes the part's result; the leader manager fails parts whose node vanished and ends
 * the job once every part has ended (event, alarm). docs/zookeeper-layout.md lists the paths.
 */

export type VerifyJobState = 'queued' | 'running' | 'done' | 'failed';
export type VerifyPartState = 'queued' | 'running' | 'done' | 'failed';

/** Keys travel as JSON: strings and numbers as they are, binary values as {hex}. */
export type WireKey = Array<string | number | null | { hex: string }>;

export interface VerifyTableResult {
  table: string;
  target: string;
  rows: number;
  missing: number;
  extra: number;
  different: number;
  samples: { missing: WireKey[]; extra: WireKey[]; different: WireKey[] };
}

/** verify-jobs/<channel>/<job>: what was asked; state and finishedAt once the leader ended it. */
export interface VerifyJobRecord {
  channel: string;
  requestedAt: string;
  requestedBy: string;
  reason: string;
  pipelines: string[];
  state?: 'done' | 'failed';
  finishedAt?: string;
}

/** verify-jobs/<channel>/<job>/<pipeline>: one pipeline's part, written by its node (or failed by a manager). */
export interface VerifyPartRecord {
  pipeline: string;
  node?: string;
  state: VerifyPartState;
  startedAt?: string;
  finishedAt?: string;
  tables: VerifyTableResult[];
  error?: { code: string; message: string };
}

/** verify-inbox/<node>/task-<seq>: a part for that node to run. */
export interface VerifyTaskRecord {
  channel: string;
  job: string;
  pipeline: string;
}

export interface VerifyPipelineView {
  pipeline: string;
  node?: string;
  state: VerifyPartState;
  tables: VerifyTableResult[];
  error?: { code: string; message: string };
}

export interface VerifyJobView {
  id: string;
  channel: string;
  state: VerifyJobState;
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  requestedBy: string;
  reason: string;
  pipelines: VerifyPipelineView[];
}

/** Jobs kept per channel; the oldest beyond it are deleted when a new one is written. */
export const VERIFY_JOBS_KEPT = 20;
export const JOB_PREFIX = 'job-';
export const JOB_ID_PATTERN = '^job-[0-9]{10}$';

const ended = (state: VerifyPartState): boolean => state === 'done' || state === 'failed';

/** The job's state from its parts: done when all are done, failed when all ended and one failed. */
export function jobState(record: VerifyJobRecord, parts: readonly VerifyPartRecord[]): VerifyJobState {
  if (record.state !== undefined) return record.state;
  if (parts.length > 0 && parts.every((part) => ended(part.state))) return parts.some((part) => part.state === 'failed') ? 'failed' : 'done';
  return parts.some((part) => part.state !== 'queued') ? 'running' : 'queued';
}

/** Rows found differing in a part, over its tables. */
export function differencesOf(part: VerifyPartRecord): number {
  return part.tables.reduce((sum, table) => sum + table.missing + table.extra + table.different, 0);
}

export function jobView(id: string, record: VerifyJobRecord, parts: readonly VerifyPartRecord[]): VerifyJobView {
  const started = parts.map((part) => part.startedAt).filter((at): at is string => at !== undefined).sort();
  const finished = parts.map((part) => part.finishedAt).filter((at): at is string => at !== undefined).sort();
  const state = jobState(record, parts);
  const finishedAt = record.finishedAt ?? (state === 'done' || state === 'failed' ? finished[finished.length - 1] : undefined);
  return {
    id,
    channel: record.channel,
    state,
    requestedAt: record.requestedAt,
    ...(started[0] === undefined ? {} : { startedAt: started[0] }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
    requestedBy: record.requestedBy,
    reason: record.reason,
    pipelines: record.pipelines.map((pipeline) => {
      const part = parts.find((p) => p.pipeline === pipeline) ?? { pipeline, state: 'queued' as const, tables: [] };
      return { pipeline, ...(part.node === undefined ? {} : { node: part.node }), state: part.state, tables: part.tables, ...(part.error ? { error: part.error } : {}) };
    }),
  };
}

const isNoNode = (error: unknown): boolean => isFerryError(error, 'FERRY_ERR_ZK_NO_NODE');

async function childrenOf(zk: ZkClient, path: string): Promise<string[]> {
  try {
    return await zk.getChildren(path);
  } catch (error) {
    if (isNoNode(error)) return [];
    throw error;
  }
}

/** The channel's job ids, newest first. */
export async function listJobIds(zk: ZkClient, channel: string): Promise<string[]> {
  return (await childrenOf(zk, zkPaths.verifyJobs(channel))).filter((name) => name.startsWith(JOB_PREFIX)).sort().reverse();
}

export interface StoredJob {
  id: string;
  record: Stored<VerifyJobRecord>;
  parts: Array<Stored<VerifyPartRecord>>;
}

export async function readJob(zk: ZkClient, channel: string, id: string): Promise<StoredJob | undefined> {
  const record = await readRecord<VerifyJobRecord>(zk, zkPaths.verifyJob(channel, id));
  if (record === undefined) return undefined;
  const parts = await Promise.all(record.value.pipelines.map((pipeline) => readRecord<VerifyPartRecord>(zk, zkPaths.verifyPart(channel, id, pipeline))));
  return { id, record, parts: parts.filter((part): part is Stored<VerifyPartRecord> => part !== undefined) };
}

export const viewOfStored = (job: StoredJob): VerifyJobView => jobView(job.id, job.record.value, job.parts.map((part) => part.value));

/**
 * Writes a job: the job znode (sequential: its name is the id, in request order), then its
 * parts and the nodes' tasks in one multi-op. `nodes` names each pipeline's node, or a failure
 * for a pipeline no node holds. Deletes the channel's oldest jobs beyond VERIFY_JOBS_KEPT.
 */
export async function createJob(
  zk: ZkClient,
  record: VerifyJobRecord,
  placement: ReadonlyMap<string, { node: string } | { error: { code: string; message: string } }>,
): Promise<string> {
  await zk.mkdirp(zkPaths.verifyJobs(record.channel));
  const created = await zk.create(`${zkPaths.verifyJobs(record.channel)}/${JOB_PREFIX}`, JSON.stringify(record), 'persistent-sequential');
  const id = created.slice(created.lastIndexOf('/') + 1);
  const now = new Date().toISOString();
  const ops: ZkOp[] = [];
  for (const pipeline of record.pipelines) {
    const where = placement.get(pipeline);
    const part: VerifyPartRecord = where !== undefined && 'node' in where
      ? { pipeline, node: where.node, state: 'queued', tables: [] }
      : { pipeline, state: 'failed', finishedAt: now, tables: [], error: where?.error ?? { code: 'FERRY_ERR_VERIFY_NOT_ASSIGNED', message: `no node holds pipeline ${pipeline}` } };
    ops.push({ op: 'create', path: zkPaths.verifyPart(record.channel, id, pipeline), data: JSON.stringify(part) });
  }
  const nodes = new Set<string>();
  for (const [, where] of placement) if ('node' in where) nodes.add(where.node);
  for (const node of nodes) await zk.mkdirp(zkPaths.verifyInbox(node));
  for (const pipeline of record.pipelines) {
    const where = placement.get(pipeline);
    if (where === undefined || !('node' in where)) continue;
    const task: VerifyTaskRecord = { channel: record.channel, job: id, pipeline };
    ops.push({ op: 'create', path: `${zkPaths.verifyInbox(where.node)}/task-`, data: JSON.stringify(task), mode: 'persistent-sequential' });
  }
  await zk.multi(ops);
  await pruneJobs(zk, record.channel);
  return id;
}

async function pruneJobs(zk: ZkClient, channel: string): Promise<void> {
  for (const old of (await listJobIds(zk, channel)).slice(VERIFY_JOBS_KEPT)) {
    await zk.removeRecursive(zkPaths.verifyJob(channel, old)).catch((error: unknown) => {
      if (!isNoNode(error)) throw error;
    });
  }
}

/** Rewrites a part at the version read; false when it changed meanwhile (or is gone). */
export async function writePart(zk: ZkClient, channel: string, job: string, part: VerifyPartRecord, version: number): Promise<boolean> {
  try {
    await zk.setData(zkPaths.verifyPart(channel, job, part.pipeline), JSON.stringify(part), version);
    return true;
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isNoNode(error)) return false;
    throw error;
  }
}

export async function readTasks(zk: ZkClient, node: string): Promise<Array<{ name: string; task: VerifyTaskRecord }>> {
  const names = (await childrenOf(zk, zkPaths.verifyInbox(node))).sort();
  const tasks: Array<{ name: string; task: VerifyTaskRecord }> = [];
  for (const name of names) {
    const found = await readRecord<VerifyTaskRecord>(zk, `${zkPaths.verifyInbox(node)}/${name}`);
    if (found) tasks.push({ name, task: found.value });
  }
  return tasks;
}

export async function removeTask(zk: ZkClient, node: string, name: string): Promise<void> {
  await zk.remove(`${zkPaths.verifyInbox(node)}/${name}`).catch((error: unknown) => {
    if (!isNoNode(error)) throw error;
  });
}

/** Channels with jobs (children of verify-jobs). */
export const channelsWithJobs = (zk: ZkClient): Promise<string[]> => childrenOf(zk, zkPaths.verifyJobsRoot);
