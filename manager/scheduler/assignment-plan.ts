import type { AssignmentRecord, ChannelPipelineSpecT, ChannelSpecT, DataSourceSpecT, NodeRecord, PermitRecord, SelectAssignmentRecord } from '../../shared/cluster/model.ts';
import type { Stored } from '../runtime-state.ts';
import { eligibleNodes, placementAllows } from './eligibility.ts';
import type { PlacementPolicy } from './policies/index.ts';
import { keepSplit, placeSplit, splitDcs, type PlannedSplit, type SplitInputs } from './split-plan.ts';

/**
 * What the scheduler changes, decided from one read of the cluster (pure, so it is unit-tested
 * without ZooKeeper):
 * - START: every pipeline gets a node. An assignment is kept, whoever wrote it, while its node
 *   is alive (up or full), not 'leaving' and still allowed by the placement, or while its node
 *   is gone but within its protection period: a new leader changes nothing that runs, and a
 *   node that restarts finds its work waiting. Otherwise the pipeline moves (policy's choice).
 * - PAUSE: assignments stay (nodes hold in place); nothing new is placed.
 * - STOP (or no permit): assignments are removed; nodes stop when theirs disappears.
 * - An assignment of a pipeline no channel holds any more is removed.
 * - An 'acked' assignment that stays is marked 'done' (pending -> acked -> done).
 * - Split pipelines (split-plan.ts, only when `canSplit`): the same rules for each side; a
 *   pipeline is split when it is placed (new or moving) and both datacenters have a node for
 *   their side, and stays whole otherwise. A running whole pipeline is not split until it
 *   moves; a split one whose split is no longer wanted is placed whole again.
 */

export interface SchedulerState {
  channels: Readonly<Record<string, ChannelSpecT>>;
  /** By groupKey: the datacenters placement policies look at. */
  dataSources: Readonly<Record<string, Pick<DataSourceSpecT, 'dc'>>>;
  /** By channel name. */
  permits: ReadonlyMap<string, PermitRecord>;
  /** Live nodes by id (the ephemeral /nodes children). */
  nodes: ReadonlyMap<string, NodeRecord>;
  /** By pipeline name. */
  assignments: ReadonlyMap<string, Stored<AssignmentRecord>>;
  /** Nodes gone from /nodes whose protection period still runs: their assignments stay. */
  protectedNodes: ReadonlySet<string>;
  /**
   * Nodes that ran pipelines whose assignment is gone now (STOP, RESTART), most recent first,
   * as far as this leader saw; for the 'sticky' policy. @default none
   */
  ranBefore?: ReadonlyMap<string, readonly string[]>;
  /** By pipeline name: the select sides of split pipelines. @default none */
  selectAssignments?: ReadonlyMap<string, Stored<SelectAssignmentRecord>>;
  /** Whether pipelines may be split (the manager can seal a pipe secret). @default false */
  canSplit?: boolean;
}

export interface PlannedAssignment {
  pipeline: string;
  channel: string;
  node: string;
  /** 'new', or why the pipeline left its node. */
  reason: string;
  /** The assignment replaced (its znode version, for the compare-and-set), if any. */
  previous?: { version: number; epoch: number; node: string };
  /** The node that ran the pipeline before (other than `node`), for the record. */
  previousNode?: string;
}

export interface AssignmentPlan {
  assign: PlannedAssignment[];
  remove: { pipeline: string; version: number; reason: string }[];
  /** Acked assignments that stay, to be marked 'done' at this version. */
  done: { pipeline: string; version: number }[];
  /** START pipelines no node can take now (retried on the next change). */
  unplaced: { pipeline: string; channel: string }[];
  /** Select sides of split pipelines (present only when there is something to do with them). */
  select?: SelectPlan;
}

export interface SelectPlan {
  /** Split pipelines whose records are written (both, with a new pipe secret). */
  splits: PlannedSplit[];
  remove: { pipeline: string; version: number; reason: string }[];
  done: { pipeline: string; version: number }[];
}

/** Why an assignment must leave its node, or undefined when it stays. */
function whyMove(state: SchedulerState, spec: ChannelPipelineSpecT, assignment: Pick<AssignmentRecord, 'node'>): string | undefined {
  const node = state.nodes.get(assignment.node);
  if (!node) return state.protectedNodes.has(assignment.node) ? undefined : `node ${assignment.node} is gone`;
  if (node.state === 'leaving') return `node ${node.id} is leaving`;
  if (!placementAllows(spec, node)) return `placement no longer allows node ${node.id}`;
  return undefined;
}

export function planAssignments(state: SchedulerState, policy: PlacementPolicy): AssignmentPlan {
  const plan: AssignmentPlan = { assign: [], remove: [], done: [], unplaced: [] };
  const owner = new Map<string, { channel: ChannelSpecT; spec: ChannelPipelineSpecT }>();
  for (const channel of Object.values(state.channels)) for (const spec of channel.pipelines) owner.set(spec.name, { channel, spec });
  const status = (channel: string) => state.permits.get(channel)?.status ?? 'STOP';

  // Removals first; what is left counts towards each live node's load.
  const load = new Map<string, number>();
  for (const [pipeline, { value, version }] of state.assignments) {
    const found = owner.get(pipeline);
    if (!found) plan.remove.push({ pipeline, version, reason: 'pipeline no longer configured' });
    else if (status(found.channel.name) === 'STOP') plan.remove.push({ pipeline, version, reason: `channel ${found.channel.name} is STOP` });
    else if (whyMove(state, found.spec, value) === undefined) load.set(value.node, (load.get(value.node) ?? 0) + 1);
  }
  const select: SelectPlan = { splits: [], remove: [], done: [] };
  for (const [pipeline, { value, version }] of state.selectAssignments ?? []) {
    const found = owner.get(pipeline);
    if (!found) select.remove.push({ pipeline, version, reason: 'pipeline no longer configured' });
    else if (status(found.channel.name) === 'STOP') select.remove.push({ pipeline, version, reason: `channel ${found.channel.name} is STOP` });
    else if (whyMove(state, found.spec, value) === undefined) load.set(value.node, (load.get(value.node) ?? 0) + 1);
  }

  const channels = Object.values(state.channels).sort((a, b) => a.name.localeCompare(b.name));
  for (const channel of channels) {
    if (status(channel.name) !== 'START') continue;
    for (const spec of channel.pipelines) {
      const current = state.assignments.get(spec.name);
      const currentSelect = state.selectAssignments?.get(spec.name);
      const dcs = state.canSplit === true ? splitDcs(spec, state.dataSources) : undefined;
      const inputs: SplitInputs | undefined = dcs && { spec, channel: channel.name, dcs, nodes: state.nodes, load, context: { load, dataSources: state.dataSources }, policy, whyMove: (record) => whyMove(state, spec, record) };
      if (inputs && current?.value.pipe && currentSelect) {
        const kept = keepSplit(inputs, current, currentSelect);
        if (kept === 'unplaced') plan.unplaced.push({ pipeline: spec.name, channel: channel.name });
        else if (kept !== 'stays') select.splits.push(kept);
        continue;
      }
      // Not (or no longer) a whole split pair: a split record left over means the pipeline is placed again.
      const unpaired = current?.value.pipe ? 'its select side is gone or the split is no longer wanted' : undefined;
      const reason = current ? (unpaired ?? whyMove(state, spec, current.value)) : 'new';
      if (reason === undefined) {
        if (currentSelect) select.remove.push({ pipeline: spec.name, version: currentSelect.version, reason: 'the pipeline runs whole' });
        continue;
      }
      const split = inputs && placeSplit(inputs, reason, current, currentSelect, state.ranBefore?.get(spec.name) ?? []);
      if (split) {
        select.splits.push(split);
        continue;
      }
      if (currentSelect) select.remove.push({ pipeline: spec.name, version: currentSelect.version, reason: 'the pipeline runs whole' });
      const eligible = eligibleNodes(spec, state.nodes.values(), load);
      const previousNodes = current ? [current.value.node, current.value.previousNode].filter((id): id is string => id !== undefined) : (state.ranBefore?.get(spec.name) ?? []);
      const node = eligible.length === 0 ? undefined : policy.choose(spec, eligible, { load, previousNodes, dataSources: state.dataSources });
      if (!node) {
        plan.unplaced.push({ pipeline: spec.name, channel: channel.name });
        continue;
      }
      load.set(node.id, (load.get(node.id) ?? 0) + 1);
      const previousNode = previousNodes.find((id) => id !== node.id);
      plan.assign.push({
        pipeline: spec.name,
        channel: channel.name,
        node: node.id,
        reason,
        ...(current ? { previous: { version: current.version, epoch: current.value.epoch, node: current.value.node } } : {}),
        ...(previousNode === undefined ? {} : { previousNode }),
      });
    }
  }

  const touched = new Set([...plan.assign.map((a) => a.pipeline), ...plan.remove.map((r) => r.pipeline), ...select.splits.map((s) => s.pipeline)]);
  for (const [pipeline, { value, version }] of state.assignments) {
    if (value.state === 'acked' && !touched.has(pipeline)) plan.done.push({ pipeline, version });
  }
  const selectTouched = new Set([...select.splits.map((s) => s.pipeline), ...select.remove.map((r) => r.pipeline)]);
  for (const [pipeline, { value, version }] of state.selectAssignments ?? []) {
    if (value.state === 'acked' && !selectTouched.has(pipeline)) select.done.push({ pipeline, version });
  }
  if (select.splits.length + select.remove.length + select.done.length > 0) plan.select = select;
  return plan;
}
