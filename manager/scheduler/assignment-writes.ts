import { readEpochFloor } from '../../shared/cluster/epoch-floors.ts';
import type { AssignmentRecord, SelectAssignmentRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { ZkClient, ZkOp } from '../../shared/zk/zk-client.ts';
import type { Stored } from '../runtime-state.ts';
import type { AssignmentPlan, PlannedAssignment, SelectPlan } from './assignment-plan.ts';
import type { PlannedSplit, SplitSide } from './split-plan.ts';

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
 *
 * A split pipeline's two records are written in the same multi-op, with one new sealed pipe
 * secret. A side placed anew takes an epoch from the counter (select sides one above load
 * sides: the counter is bumped twice then, so the two differ); a side that stays keeps its
 * epoch and state and only gets the new secret and its peer's fields.
 */

export type Placed = PlannedAssignment & { epoch: number; side?: 'select' | 'load' };

export interface SplitWrites {
  selectAssignments: ReadonlyMap<string, Stored<SelectAssignmentRecord>>;
  /** A new pipe secret for the pipeline, sealed (shared/secrets/pipe-secret.ts). */
  newPipeSecret: (pipeline: string) => string;
}

const moves = (plan: AssignmentPlan): { load: boolean; select: boolean } => {
  const splits = plan.select?.splits ?? [];
  return { load: plan.assign.length > 0 || splits.some((s) => s.load.reason !== undefined), select: splits.some((s) => s.select.reason !== undefined) };
};

/** Resolves to what was placed, or undefined when someone else wrote first (read again). */
export async function writePlan(zk: ZkClient, plan: AssignmentPlan, assignments: ReadonlyMap<string, Stored<AssignmentRecord>>, at: string, split?: SplitWrites): Promise<Placed[] | undefined> {
  const ops: ZkOp[] = [];
  const placed: Placed[] = [];
  const moving = moves(plan);
  if (moving.load || moving.select) {
    const counter = await zk.exists(zkPaths.assignments);
    if (counter === null) throw new Error(`${zkPaths.assignments} is missing`);
    ops.push({ op: 'set', path: zkPaths.assignments, data: '', version: counter });
    if (moving.select) ops.push({ op: 'set', path: zkPaths.assignments, data: '', version: counter + 1 });
    const selectCounter = counter + (moving.select ? 2 : 1);
    for (const s of plan.select?.splits ?? []) {
      if (!split) throw new Error('a split plan needs the select assignments and a pipe secret');
      const epochs = {
        load: s.load.reason === undefined ? s.load.previous?.epoch ?? 0 : Math.max(counter + 1, (s.load.previous?.epoch ?? 0) + 1, (await readEpochFloor(zk, s.pipeline)) + 1),
        select: s.select.reason === undefined ? s.select.previous?.epoch ?? 0 : Math.max(selectCounter, (s.select.previous?.epoch ?? 0) + 1),
      };
      ops.push(...splitOps(s, epochs, split.newPipeSecret(s.pipeline), assignments, split.selectAssignments, at));
      if (s.load.reason !== undefined) placed.push({ ...placedSide(s, s.load), epoch: epochs.load, side: 'load' });
      if (s.select.reason !== undefined) placed.push({ ...placedSide(s, s.select), epoch: epochs.select, side: 'select' });
    }
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
  if (plan.select) ops.push(...selectUpkeep(plan.select, split?.selectAssignments, at));
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

const placedSide = (s: PlannedSplit, side: SplitSide): PlannedAssignment => ({
  pipeline: s.pipeline, channel: s.channel, node: side.node, reason: side.reason ?? '',
  ...(side.previous ? { previous: side.previous } : {}),
  ...(side.previousNode === undefined ? {} : { previousNode: side.previousNode }),
});

/** Both records of a split pipeline: each created, or set at the version it was planned from. */
function splitOps(
  s: PlannedSplit, epochs: { load: number; select: number }, secret: string,
  assignments: ReadonlyMap<string, Stored<AssignmentRecord>>, selects: ReadonlyMap<string, Stored<SelectAssignmentRecord>>, at: string,
): ZkOp[] {
  // A side that stays keeps its state (a node acks a new epoch, not a new secret) and history.
  const kept = (side: SplitSide, current: { state: AssignmentRecord['state']; previousNode?: string } | undefined) =>
    side.reason === undefined && current ? { state: current.state, ...(current.previousNode === undefined ? {} : { previousNode: current.previousNode }) }
      : { state: 'pending' as const, ...(side.previousNode === undefined ? {} : { previousNode: side.previousNode }) };
  const load: AssignmentRecord = {
    pipeline: s.pipeline, channel: s.channel, node: s.load.node, epoch: epochs.load, at, ...kept(s.load, assignments.get(s.pipeline)?.value),
    pipe: { secret, selectNode: s.select.node, selectEpoch: epochs.select },
  };
  const select: SelectAssignmentRecord = {
    pipeline: s.pipeline, channel: s.channel, node: s.select.node, epoch: epochs.select, at, ...kept(s.select, selects.get(s.pipeline)?.value),
    pipe: { secret, loadNode: s.load.node, address: s.endpoint.address, tls: s.endpoint.tls, loadEpoch: epochs.load },
  };
  const write = (path: string, data: string, previous: SplitSide['previous']): ZkOp => (previous ? { op: 'set', path, data, version: previous.version } : { op: 'create', path, data });
  return [write(zkPaths.assignment(s.pipeline), JSON.stringify(load), s.load.previous), write(zkPaths.selectAssignment(s.pipeline), JSON.stringify(select), s.select.previous)];
}

/** Removals and 'done' marks of select sides, each at the version read. */
function selectUpkeep(plan: SelectPlan, selects: ReadonlyMap<string, Stored<SelectAssignmentRecord>> | undefined, at: string): ZkOp[] {
  const ops: ZkOp[] = plan.remove.map((r) => ({ op: 'remove', path: zkPaths.selectAssignment(r.pipeline), version: r.version }));
  for (const d of plan.done) {
    const current = selects?.get(d.pipeline)?.value;
    if (current) ops.push({ op: 'set', path: zkPaths.selectAssignment(d.pipeline), data: JSON.stringify({ ...current, state: 'done', at }), version: d.version });
  }
  return ops;
}
