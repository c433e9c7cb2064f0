import { describe, expect, it } from 'vitest';
import type { AssignmentRecord, ChannelSpecT, NodeRecord, PermitRecord } from '../../../shared/cluster/model.ts';
import { planAssignments, type SchedulerState } from '../../../manager/scheduler/assignment-plan.ts';
import { chooseNode } from '../../../manager/scheduler/simple-placement.ts';

const node = (id: string, extra: Partial<NodeRecord> = {}): NodeRecord =>
  ({ id, dc: 'dc1', address: `${id}:7000`, capacity: { pipelines: 10 }, state: 'up', version: 't', startedAt: '', ...extra });
const pipe = (name: string, placement?: { nodes?: string[]; dcs?: string[] }) => ({ name, source: 'a', target: 'b', tables: ['s.*'], ...(placement ? { placement } : {}) });
const permit = (status: PermitRecord['status']): PermitRecord => ({ status, by: 't', at: '' });
const assigned = (pipeline: string, nodeId: string, epoch: number, version = 0) =>
  [pipeline, { value: { pipeline, channel: 'c', node: nodeId, epoch, state: 'acked', at: '' } as AssignmentRecord, version }] as const;

function state(channels: ChannelSpecT[], permits: Record<string, PermitRecord['status']>, nodes: NodeRecord[], assignments: ReturnType<typeof assigned>[] = []): SchedulerState {
  return {
    channels: Object.fromEntries(channels.map((c) => [c.name, c])),
    permits: new Map(Object.entries(permits).map(([k, v]) => [k, permit(v)])),
    nodes: new Map(nodes.map((n) => [n.id, n])),
    assignments: new Map(assignments),
  };
}

describe('simple placement', () => {
  it('takes the least loaded eligible node, ties to the lowest id', () => {
    const nodes = [node('n2'), node('n1'), node('n3', { dc: 'dc2' })];
    expect(chooseNode(pipe('p'), nodes, new Map())?.id).toBe('n1');
    expect(chooseNode(pipe('p'), nodes, new Map([['n1', 2], ['n2', 1], ['n3', 1]]))?.id).toBe('n2');
    expect(chooseNode(pipe('p', { dcs: ['dc2'] }), nodes, new Map([['n3', 5]]))?.id).toBe('n3');
    expect(chooseNode(pipe('p', { nodes: ['n2'], dcs: ['dc1'] }), nodes, new Map())?.id).toBe('n2');
    expect(chooseNode(pipe('p', { nodes: ['n3'], dcs: ['dc1'] }), nodes, new Map())).toBeUndefined();
  });

  it('skips full, leaving and saturated nodes', () => {
    const nodes = [node('n1', { state: 'full' }), node('n2', { state: 'leaving' }), node('n3', { capacity: { pipelines: 1 } }), node('n4')];
    expect(chooseNode(pipe('p'), nodes, new Map([['n3', 1], ['n4', 7]]))?.id).toBe('n4');
    expect(chooseNode(pipe('p'), nodes.slice(0, 3), new Map([['n3', 1]]))).toBeUndefined();
  });
});

describe('assignment plan', () => {
  const c1: ChannelSpecT = { name: 'c1', pipelines: [pipe('p1'), pipe('p2')] };
  const c2: ChannelSpecT = { name: 'c2', pipelines: [pipe('q1')] };

  it('places START pipelines round-robin and nothing for PAUSE or STOP', () => {
    const plan = planAssignments(state([c1, c2], { c1: 'START', c2: 'PAUSE' }, [node('n1'), node('n2')]));
    expect(plan.assign).toEqual([{ pipeline: 'p1', channel: 'c1', node: 'n1' }, { pipeline: 'p2', channel: 'c1', node: 'n2' }]);
    expect(plan.remove).toEqual([]);
  });

  it('keeps an assignment whose node is alive, whoever made it (a new leader changes nothing)', () => {
    const plan = planAssignments(state([c1], { c1: 'START' }, [node('n1'), node('n2')], [assigned('p1', 'n2', 7), assigned('p2', 'n2', 3)]));
    expect(plan).toEqual({ assign: [], remove: [], unplaced: [] });
  });

  it('moves pipelines off dead and leaving nodes, carrying the previous epoch and version', () => {
    const plan = planAssignments(state([c1], { c1: 'START' }, [node('n1'), node('n2', { state: 'leaving' })], [assigned('p1', 'gone', 4, 2), assigned('p2', 'n2', 5, 1)]));
    expect(plan.assign).toEqual([
      { pipeline: 'p1', channel: 'c1', node: 'n1', previous: { version: 2, epoch: 4, node: 'gone' } },
      { pipeline: 'p2', channel: 'c1', node: 'n1', previous: { version: 1, epoch: 5, node: 'n2' } },
    ]);
  });

  it('removes assignments of STOP channels, channels without a permit and unknown pipelines; PAUSE keeps them', () => {
    const plan = planAssignments(state([c1, c2], { c2: 'PAUSE' }, [node('n1')], [assigned('p1', 'n1', 1, 3), assigned('q1', 'n1', 1), assigned('old', 'n1', 9, 5)]));
    expect(plan.remove).toEqual([
      { pipeline: 'p1', version: 3, reason: 'channel c1 is STOP' },
      { pipeline: 'old', version: 5, reason: 'pipeline no longer configured' },
    ]);
    expect(plan.assign).toEqual([]);
  });

  it('reports pipelines no node can take, and moves one whose placement no longer allows its node', () => {
    const pinned: ChannelSpecT = { name: 'c3', pipelines: [pipe('r1', { dcs: ['dc9'] }), pipe('r2', { nodes: ['n2'] })] };
    const plan = planAssignments(state([pinned], { c3: 'START' }, [node('n1'), node('n2')], [assigned('r2', 'n1', 2)]));
    expect(plan.unplaced).toEqual([{ pipeline: 'r1', channel: 'c3' }]);
    expect(plan.assign).toEqual([{ pipeline: 'r2', channel: 'c3', node: 'n2', previous: { version: 0, epoch: 2, node: 'n1' } }]);
  });
});
