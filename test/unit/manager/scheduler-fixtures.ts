import type { AssignmentRecord, ChannelSpecT, NodeRecord, PermitRecord } from '../../../shared/cluster/model.ts';
import type { SchedulerState } from '../../../manager/scheduler/assignment-plan.ts';

/** Small builders for the planner and policy tests. */

export const node = (id: string, extra: Partial<NodeRecord> = {}): NodeRecord =>
  ({ id, dc: 'dc1', address: `${id}:7000`, capacity: { pipelines: 10 }, state: 'up', version: 't', startedAt: '', ...extra });

export const pipe = (name: string, placement?: { nodes?: string[]; dcs?: string[] }, ends: { source?: string; target?: string } = {}) =>
  ({ name, source: ends.source ?? 'a', target: ends.target ?? 'b', tables: ['s.*'], ...(placement ? { placement } : {}) });

export const assigned = (pipeline: string, nodeId: string, epoch: number, version = 0, extra: Partial<AssignmentRecord> = {}) =>
  [pipeline, { value: { pipeline, channel: 'c', node: nodeId, epoch, state: 'acked', at: '', ...extra }, version }] as const;

export function state(
  channels: ChannelSpecT[],
  permits: Record<string, PermitRecord['status']>,
  nodes: NodeRecord[],
  assignments: ReturnType<typeof assigned>[] = [],
  extra: Partial<SchedulerState> = {},
): SchedulerState {
  return {
    channels: Object.fromEntries(channels.map((c) => [c.name, c])),
    dataSources: { a: { dc: 'dc1' }, b: { dc: 'dc2' } },
    permits: new Map(Object.entries(permits).map(([k, v]) => [k, { status: v, by: 't', at: '' }])),
    nodes: new Map(nodes.map((n) => [n.id, n])),
    assignments: new Map(assignments),
    protectedNodes: new Set(),
    ...extra,
  };
}
