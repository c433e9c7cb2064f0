import type { AssignmentRecord, PipelineStatsRecord } from '../shared/cluster/model.ts';
import type { ConfigProblem } from '../shared/config/pipeline-spec.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';
import { readRecord } from './runtime-state.ts';

/**
 * Which reported statistics may be shown. A node token can only speak for its own node (the
 * route checks that); this keeps a node from speaking for pipelines it does not run: a
 * record is kept only when the pipeline's assignment names that node at that very epoch.
 * A stale record (the node lost the pipeline and does not know yet) is dropped the same way,
 * and so is a forged epoch, which would otherwise hide the real node's reports for good (the
 * writer keeps the highest epoch).
 */

/** How far ahead of the manager's clock a record's `at` may be: clocks drift, not by this much. */
export const STATS_CLOCK_AHEAD_MAX_MS = 10 * 60_000;

/** Problems with the records' dates: `at` must parse and not lie in the future beyond the drift allowed. */
export function statsDateProblems(stats: readonly PipelineStatsRecord[], now = Date.now()): ConfigProblem[] {
  return stats.flatMap((s, i) => {
    const at = Date.parse(s.at);
    if (Number.isNaN(at)) return [{ path: `/stats/${i}/at`, message: `'${s.at.slice(0, 40)}' is not a date (ISO 8601 expected)` }];
    if (at > now + STATS_CLOCK_AHEAD_MAX_MS) return [{ path: `/stats/${i}/at`, message: `${s.at} is more than ${STATS_CLOCK_AHEAD_MAX_MS / 60_000} minutes ahead of the manager's clock` }];
    return [];
  });
}

/** The records whose pipeline is assigned to the record's node at the record's epoch. */
export async function fromAssignedNodes(zk: ZkClient, stats: readonly PipelineStatsRecord[]): Promise<PipelineStatsRecord[]> {
  const pipelines = [...new Set(stats.map((s) => s.pipeline))];
  const assignments = new Map(await Promise.all(pipelines.map(async (p) => [p, (await readRecord<AssignmentRecord>(zk, zkPaths.assignment(p)))?.value] as const)));
  return stats.filter((s) => {
    const assignment = assignments.get(s.pipeline);
    return assignment !== undefined && assignment.node === s.node && assignment.epoch === s.epoch;
  });
}
