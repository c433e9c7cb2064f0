import type { AssignmentRecord, ChannelSpecT, NodeRecord, PermitRecord } from '../../shared/cluster/model.ts';
import type { Stored } from '../runtime-state.ts';
import { chooseNode, placementAllows } from './simple-placement.ts';

/**
 * What the simple scheduler changes, decided from one read of the cluster (pure, so it is
 * unit-tested without ZooKeeper):
 * - START: every pipeline gets a node. An assignment whose node is alive (not 'leaving') and
 *   still allowed by the placement is kept as it is, whoever wrote it: a new leader after a
 *   failover changes nothing that runs. Only a missing, dead or leaving node's pipeline moves.
 * - PAUSE: assignments stay (nodes hold in place); nothing new is placed.
 * - STOP (or no permit): assignments are removed; nodes stop when theirs disappears.
 * - An assignment of a pipeline no channel holds any more is removed.
 */

export interface SchedulerState {
  channels: Readonly<Record<string, ChannelSpecT>>;
  /** By channel name. */
  permits: ReadonlyMap<string, PermitRecord>;
  /** Live nodes by id (the ephemeral /nodes children). */
  nodes: ReadonlyMap<string, NodeRecord>;
  /** By pipeline name. */
  assignments: ReadonlyMap<string, Stored<AssignmentRecord>>;
}

export interface PlannedAssignment {
  pipeline: string;
  channel: string;
  node: string;
  /** The assignment replaced (its znode version, for the compare-and-set), if any. */
  previous?: { version: number; epoch: number; node: string };
}

export interface AssignmentPlan {
  assign: PlannedAssignment[];
  remove: { pipeline: string; version: number; reason: string }[];
  /** START pipelines no node can take now (retried on the next change). */
  unplaced: { pipeline: string; channel: string }[];
}

export function planAssignments(state: SchedulerState): AssignmentPlan {
  const plan: AssignmentPlan = { assign: [], remove: [], unplaced: [] };
  const owner = new Map<string, ChannelSpecT>();
  for (const channel of Object.values(state.channels)) for (const p of channel.pipelines) owner.set(p.name, channel);

  // Load per node: what stays where it is, then what this round places.
  const load = new Map<string, number>();
  const keep = (pipeline: string, assignment: AssignmentRecord | undefined): boolean => {
    const channel = owner.get(pipeline);
    const spec = channel?.pipelines.find((p) => p.name === pipeline);
    const node = assignment ? state.nodes.get(assignment.node) : undefined;
    const stopped = (state.permits.get(channel?.name ?? '')?.status ?? 'STOP') === 'STOP';
    return !!spec && !stopped && !!node && node.state !== 'leaving' && placementAllows(spec, node);
  };
  for (const [pipeline, { value }] of state.assignments) {
    if (keep(pipeline, value)) load.set(value.node, (load.get(value.node) ?? 0) + 1);
  }

  for (const [pipeline, { version }] of state.assignments) {
    const channel = owner.get(pipeline);
    if (!channel) plan.remove.push({ pipeline, version, reason: 'pipeline no longer configured' });
    else if ((state.permits.get(channel.name)?.status ?? 'STOP') === 'STOP') plan.remove.push({ pipeline, version, reason: `channel ${channel.name} is STOP` });
  }

  const channels = Object.values(state.channels).sort((a, b) => a.name.localeCompare(b.name));
  for (const channel of channels) {
    if (state.permits.get(channel.name)?.status !== 'START') continue;
    for (const pipeline of channel.pipelines) {
      const current = state.assignments.get(pipeline.name);
      if (current && keep(pipeline.name, current.value)) continue;
      const node = chooseNode(pipeline, state.nodes.values(), load);
      if (!node) {
        plan.unplaced.push({ pipeline: pipeline.name, channel: channel.name });
        continue;
      }
      load.set(node.id, (load.get(node.id) ?? 0) + 1);
      plan.assign.push({
        pipeline: pipeline.name,
        channel: channel.name,
        node: node.id,
        ...(current ? { previous: { version: current.version, epoch: current.value.epoch, node: current.value.node } } : {}),
      });
    }
  }
  return plan;
}
