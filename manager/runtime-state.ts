import type { AssignmentRecord, ManagerRecord, NodeRecord, PermitRecord, PipelineStatsRecord, SelectAssignmentRecord } from '../shared/cluster/model.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { readRecord, type Stored } from '../shared/cluster/zk-records.ts';

export { readRecord, type Stored } from '../shared/cluster/zk-records.ts';
import { isFerryError } from '../shared/errors/index.ts';
import type { Watcher, ZkClient } from '../shared/zk/zk-client.ts';

/**
 * Reads of the runtime znodes (permits, assignments, stats, nodes, managers, election) for the
 * API views and the scheduler. Records are JSON; a znode deleted between the listing and the
 * read is simply left out.
 */


/** Optional one-shot watchers: `children` on the parent, `data(name)` on each child. */
export interface RecordWatchers {
  children?: Watcher;
  data?: (name: string) => Watcher | undefined;
}


/** Every child record of `parent`, by child name. */
export async function readRecords<T>(zk: ZkClient, parent: string, pathOf: (name: string) => string, watchers: RecordWatchers = {}): Promise<Map<string, Stored<T>>> {
  const names = await zk.getChildren(parent, watchers.children);
  const entries = await Promise.all(names.map(async (name) => [name, await readRecord<T>(zk, pathOf(name), watchers.data?.(name))] as const));
  const records = new Map<string, Stored<T>>();
  for (const [name, record] of entries) if (record !== undefined) records.set(name, record);
  return records;
}

export const readPermits = (zk: ZkClient, watchers?: RecordWatchers) => readRecords<PermitRecord>(zk, zkPaths.permits, zkPaths.permit, watchers);
export const readAssignments = (zk: ZkClient, watchers?: RecordWatchers) => readRecords<AssignmentRecord>(zk, zkPaths.assignments, zkPaths.assignment, watchers);
export const readSelectAssignments = (zk: ZkClient, watchers?: RecordWatchers) => readRecords<SelectAssignmentRecord>(zk, zkPaths.selectAssignments, zkPaths.selectAssignment, watchers);
export const readNodes = (zk: ZkClient, watchers?: RecordWatchers) => readRecords<NodeRecord>(zk, zkPaths.nodes, zkPaths.node, watchers);
export const readManagers = (zk: ZkClient) => readRecords<ManagerRecord>(zk, zkPaths.managers, zkPaths.manager);

/** Stats of the given pipelines (absent ones are left out). */
export async function readStats(zk: ZkClient, pipelines: readonly string[]): Promise<Map<string, PipelineStatsRecord>> {
  const entries = await Promise.all(pipelines.map(async (name) => [name, await readRecord<PipelineStatsRecord>(zk, zkPaths.stat(name))] as const));
  const stats = new Map<string, PipelineStatsRecord>();
  for (const [name, record] of entries) if (record !== undefined) stats.set(name, record.value);
  return stats;
}

/** Candidates of the election, lowest sequence first (the first one leads). */
export async function electionCandidates(zk: ZkClient, watcher?: Watcher): Promise<string[]> {
  const children = await zk.getChildren(zkPaths.election, watcher);
  return children.filter((c) => c.startsWith('candidate-')).sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

export function sequenceOf(candidate: string): number {
  return Number(candidate.slice(candidate.lastIndexOf('-') + 1));
}

/** Id of the leading manager as ZooKeeper sees it (every manager answers the same), or null. */
export async function currentLeader(zk: ZkClient): Promise<string | null> {
  for (const candidate of await electionCandidates(zk)) {
    try {
      return (await zk.getData(`${zkPaths.election}/${candidate}`)).data.toString('utf8');
    } catch (error) {
      // Gone between the listing and the read: the next one leads now.
      if (!isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) throw error;
    }
  }
  return null;
}
