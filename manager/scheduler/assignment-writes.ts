import { readEpochFloor } from '../../shared/cluster/epoch-floors.ts';
import type { AssignmentRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { ZkClient, ZkOp } from '../../shared/zk/zk-client.ts';
import type { Stored } from '../runtime-state.ts';
import type { AssignmentPlan, PlannedAssignment } from './assignment-plan.ts';

/**
 * A plan written as ONE multi-op that compare-and-sets every assignment it changes at the
 * version the plan was made from. Anyone writing in between (a node acking, a second leader
 * during a handover, an API delete) makes the whole pass fail and nothing lands; the caller
 * reads again. So no pass can place a pipeline twice, and two leaders never both win.
 *
 * Epochs come from one cluster-wide counter, the data version of /assignments, bumped in the
 * same multi-op: a pipeline's epoch grows even across STOP (which deletes its assignment) and
 * channel re-creation, and the target's fence, which refuses any epoch below the highest it
 * saw, never locks a pipeline out. A ZooKeeper rebuilt from nothing (or a new chroot) starts
 * the counter again low while targets keep their fences: a pipeline's epoch floor
 * (shared/cluster/epoch-floors.ts, raised by the node whose claim was refused) lifts it above.
 */

export type Placed = PlannedAssignment & { epoch: number };

/** Resolves to what was placed, or undefined when someone else wrote first (read again). */
export async function writePlan(zk: ZkClient, plan: AssignmentPlan, assignments: ReadonlyMap<string, Stored<AssignmentRecord>>, at: string): Promise<Placed[] | undefined> {
  const ops: ZkOp[] = [];
  const placed: Placed[] = [];
  if (plan.assign.length > 0) {
    const counter = await zk.exists(zkPaths.assignments);
    if (counter === null) throw new Error(`${zkPaths.assignments} is missing`);
    ops.push({ op: 'set', path: zkPaths.assignments, data: '', version: counter });
    for (const a of plan.assign) {
      const floor = await readEpochFloor(zk, a.pipeline);
      const epoch = Math.max(counter + 1, (a.previous?.epoch ?? 0) + 1, floor + 1);
      const record: AssignmentRecord = {
        pipeline: a.pipeline, channel: a.channel, node: a.node, epoch, state: 'pending', at,
        ...(a.previousNode === undefined ? {} : { previousNode: a.previousNode }),
      };
      const data = JSON.stringify(record);
      ops.push(a.previous ? { op: 'set', path: zkPaths.assignment(a.pipeline), data, version: a.previous.version } : { op: 'create', path: zkPaths.assignment(a.pipeline), data });
      placed.push({ ...a, epoch });
    }
  }
  for (const r of plan.remove) ops.push({ op: 'remove', path: zkPaths.assignment(r.pipeline), version: r.version });
  for (const d of plan.done) {
    const current = assignments.get(d.pipeline)?.value;
    if (current) ops.push({ op: 'set', path: zkPaths.assignment(d.pipeline), data: JSON.stringify({ ...current, state: 'done', at }), version: d.version });
  }
  if (ops.length === 0) return [];
  try {
    await zk.multi(ops);
    return placed;
  } catch (error) {
    const raced = isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') || isFerryError(error, 'FERRY_ERR_ZK_NO_NODE');
    if (raced) return undefined;
    throw error;
  }
}
