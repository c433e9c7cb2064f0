import { FerryError, isFerryError } from '../../errors/index.ts';
import type { Watcher, ZkClient, ZkOp } from '../../zk/zk-client.ts';
import type { AssignmentRecord, ChannelSpecT, PermitRecord, SelectAssignmentRecord } from '../model.ts';
import { zkPaths } from '../zk-paths.ts';
import { readRecord, type Stored } from '../zk-records.ts';

/**
 * The znodes an arbiter action reads and writes: the channel spec, its permit and its
 * pipelines' assignments (with the select sides of split pipelines). Every write is a compare-and-set on the version just read, so a
 * writer outside the lock (or a leader's scheduler) can never be overwritten blindly.
 */


/** Attempts of a compare-and-set that keeps losing to writers outside the lock. */
const CAS_ATTEMPTS = 8;

const raced = (error: unknown) =>
  isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isFerryError(error, 'FERRY_ERR_ZK_NO_NODE') || isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS');


/** The channel's spec; FERRY_ERR_API_NOT_FOUND when there is no such channel. */
export async function readChannel(zk: ZkClient, channel: string): Promise<Stored<ChannelSpecT>> {
  const spec = await readRecord<ChannelSpecT>(zk, zkPaths.channel(channel));
  if (!spec) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'channel', name: channel });
  return spec;
}

export const readPermit = (zk: ZkClient, channel: string) => readRecord<PermitRecord>(zk, zkPaths.permit(channel));

/**
 * Writes the permit, compare-and-set on the version read and checked against the channel in
 * the same multi-op (a permit never outlives its channel). Returns the permit's new version.
 */
export async function writePermit(zk: ZkClient, channel: string, permit: PermitRecord): Promise<number> {
  const data = JSON.stringify(permit);
  for (let attempt = 1; ; attempt += 1) {
    const spec = await readChannel(zk, channel);
    const current = await readPermit(zk, channel);
    const ops: ZkOp[] = [
      { op: 'check', path: zkPaths.channel(channel), version: spec.version },
      current ? { op: 'set', path: zkPaths.permit(channel), data, version: current.version } : { op: 'create', path: zkPaths.permit(channel), data },
    ];
    try {
      await zk.multi(ops);
      return current ? current.version + 1 : 0;
    } catch (error) {
      if (!raced(error) || attempt >= CAS_ATTEMPTS) throw error;
    }
  }
}

/** The channel's assignments by pipeline (pipelines without one are left out). */
export async function readAssignments(zk: ZkClient, spec: ChannelSpecT, watch?: (pipeline: string) => Watcher | undefined): Promise<Map<string, Stored<AssignmentRecord>>> {
  const entries = await Promise.all(spec.pipelines.map(async ({ name }) => [name, await readRecord<AssignmentRecord>(zk, zkPaths.assignment(name), watch?.(name))] as const));
  return new Map(entries.flatMap(([name, record]) => (record ? [[name, record] as const] : [])));
}

/** The select sides of the channel's split pipelines, by pipeline. */
export async function readSelectAssignments(zk: ZkClient, spec: ChannelSpecT): Promise<Map<string, Stored<SelectAssignmentRecord>>> {
  const entries = await Promise.all(spec.pipelines.map(async ({ name }) => [name, await readRecord<SelectAssignmentRecord>(zk, zkPaths.selectAssignment(name))] as const));
  return new Map(entries.flatMap(([name, record]) => (record ? [[name, record] as const] : [])));
}

export const isLive = async (zk: ZkClient, node: string): Promise<boolean> => (await zk.exists(zkPaths.node(node))) !== null;

/** The nodes the channel's assignments (either side) name that are alive now, sorted. */
export async function involvedNodes(zk: ZkClient, spec: ChannelSpecT): Promise<string[]> {
  const [assignments, selects] = await Promise.all([readAssignments(zk, spec), readSelectAssignments(zk, spec)]);
  const named = new Set([...assignments.values(), ...selects.values()].map(({ value }) => value.node));
  const live = await Promise.all([...named].map(async (node) => ((await isLive(zk, node)) ? [node] : [])));
  return live.flat().sort();
}

/**
 * Removes every assignment of the channel, select sides included, in one multi-op
 * (compare-and-set on each version: a node acking meanwhile makes it read again). Returns the
 * (load side's) epochs removed by pipeline, so that the wait for the new placement can tell a
 * new assignment from an old one; a new split placement writes both sides in one multi-op.
 */
export async function removeAssignments(zk: ZkClient, spec: ChannelSpecT): Promise<Map<string, number>> {
  for (let attempt = 1; ; attempt += 1) {
    const [assignments, selects] = await Promise.all([readAssignments(zk, spec), readSelectAssignments(zk, spec)]);
    const ops: ZkOp[] = [
      ...[...assignments].map(([pipeline, { version }]): ZkOp => ({ op: 'remove', path: zkPaths.assignment(pipeline), version })),
      ...[...selects].map(([pipeline, { version }]): ZkOp => ({ op: 'remove', path: zkPaths.selectAssignment(pipeline), version })),
    ];
    try {
      if (ops.length > 0) await zk.multi(ops);
      return new Map([...assignments].map(([pipeline, { value }]) => [pipeline, value.epoch]));
    } catch (error) {
      if (!raced(error) || attempt >= CAS_ATTEMPTS) throw error;
    }
  }
}
