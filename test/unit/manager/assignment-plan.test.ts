import { describe, expect, it } from 'vitest';
import type { ChannelSpecT } from '../../../shared/cluster/model.ts';
import { planAssignments } from '../../../manager/scheduler/assignment-plan.ts';
import { leastLoadedPolicy } from '../../../manager/scheduler/policies/least-loaded.ts';
import { assigned, node, pipe, state } from './scheduler-fixtures.ts';

const plan = (s: Parameters<typeof planAssignments>[0]) => planAssignments(s, leastLoadedPolicy());

describe('assignment plan', () => {
  const c1: ChannelSpecT = { name: 'c1', pipelines: [pipe('p1'), pipe('p2')] };
  const c2: ChannelSpecT = { name: 'c2', pipelines: [pipe('q1')] };

  it('places START pipelines and nothing for PAUSE or STOP', () => {
    const result = plan(state([c1, c2], { c1: 'START', c2: 'PAUSE' }, [node('n1'), node('n2')]));
    expect(result.assign).toEqual([{ pipeline: 'p1', channel: 'c1', node: 'n1', reason: 'new' }, { pipeline: 'p2', channel: 'c1', node: 'n2', reason: 'new' }]);
    expect(result.remove).toEqual([]);
  });

  it('keeps an assignment whose node is alive, whoever made it (a new leader changes nothing); acked becomes done', () => {
    const result = plan(state([c1], { c1: 'START' }, [node('n1'), node('n2')], [assigned('p1', 'n2', 7, 4), assigned('p2', 'n2', 3, 1, { state: 'pending' })]));
    expect(result).toEqual({ assign: [], remove: [], done: [{ pipeline: 'p1', version: 4 }], unplaced: [] });
  });

  it('moves pipelines off dead and leaving nodes, carrying the previous epoch and version', () => {
    const result = plan(state([c1], { c1: 'START' }, [node('n1'), node('n2', { state: 'leaving' })], [assigned('p1', 'gone', 4, 2), assigned('p2', 'n2', 5, 1)]));
    expect(result.assign).toEqual([
      { pipeline: 'p1', channel: 'c1', node: 'n1', reason: 'node gone is gone', previous: { version: 2, epoch: 4, node: 'gone' }, previousNode: 'gone' },
      { pipeline: 'p2', channel: 'c1', node: 'n1', reason: 'node n2 is leaving', previous: { version: 1, epoch: 5, node: 'n2' }, previousNode: 'n2' },
    ]);
    expect(result.done).toEqual([]);
  });

  it('keeps the work of a vanished node within its protection period, and moves it after', () => {
    const during = plan(state([c1], { c1: 'START' }, [node('n1')], [assigned('p1', 'n2', 4, 2)], { protectedNodes: new Set(['n2']) }));
    // p1 stays on n2; only p2, never placed before, goes to n1.
    expect(during.assign).toEqual([{ pipeline: 'p2', channel: 'c1', node: 'n1', reason: 'new' }]);
    const after = plan(state([c1], { c1: 'START' }, [node('n1')], [assigned('p1', 'n2', 4, 2)]));
    expect(after.assign[0]).toEqual({ pipeline: 'p1', channel: 'c1', node: 'n1', reason: 'node n2 is gone', previous: { version: 2, epoch: 4, node: 'n2' }, previousNode: 'n2' });
  });

  it("keeps a 'full' node's work but gives it nothing new", () => {
    const result = plan(state([c1], { c1: 'START' }, [node('n1', { state: 'full' })], [assigned('p1', 'n1', 1)]));
    expect(result.assign).toEqual([]);
    expect(result.unplaced).toEqual([{ pipeline: 'p2', channel: 'c1' }]);
  });

  it('never gives a node more pipelines than its capacity, counting what it keeps', () => {
    const c3: ChannelSpecT = { name: 'c3', pipelines: [pipe('r1'), pipe('r2')] };
    const result = plan(state([c1, c3], { c1: 'START', c3: 'START' }, [node('n1', { capacity: { pipelines: 2 } }), node('n2', { capacity: { pipelines: 1 } })], [assigned('p1', 'n1', 1)]));
    expect(result.assign.map((a) => [a.pipeline, a.node])).toEqual([['p2', 'n2'], ['r1', 'n1']]);
    expect(result.unplaced).toEqual([{ pipeline: 'r2', channel: 'c3' }]);
  });

  it('removes assignments of STOP channels, channels without a permit and unknown pipelines; PAUSE keeps them', () => {
    const result = plan(state([c1, c2], { c2: 'PAUSE' }, [node('n1')], [assigned('p1', 'n1', 1, 3), assigned('q1', 'n1', 1), assigned('old', 'n1', 9, 5)]));
    expect(result.remove).toEqual([
      { pipeline: 'p1', version: 3, reason: 'channel c1 is STOP' },
      { pipeline: 'old', version: 5, reason: 'pipeline no longer configured' },
    ]);
    expect(result.assign).toEqual([]);
    expect(result.done).toEqual([{ pipeline: 'q1', version: 0 }]);
  });

  it('reports pipelines no node can take, and moves one whose placement no longer allows its node', () => {
    const pinned: ChannelSpecT = { name: 'c3', pipelines: [pipe('r1', { dcs: ['dc9'] }), pipe('r2', { nodes: ['n2'] })] };
    const result = plan(state([pinned], { c3: 'START' }, [node('n1'), node('n2')], [assigned('r2', 'n1', 2)]));
    expect(result.unplaced).toEqual([{ pipeline: 'r1', channel: 'c3' }]);
    expect(result.assign).toEqual([{ pipeline: 'r2', channel: 'c3', node: 'n2', reason: 'placement no longer allows node n1', previous: { version: 0, epoch: 2, node: 'n1' }, previousNode: 'n1' }]);
  });

  it('hands the policy the nodes that ran the pipeline before, most recent first, from the record or from memory', () => {
    const seen: string[][] = [];
    const spy = { name: 'spy', choose: (_p: unknown, eligible: readonly { id: string }[], context: { previousNodes: readonly string[] }) => (seen.push([...context.previousNodes]), eligible[0] as never) };
    planAssignments(state([c2], { c2: 'START' }, [node('n1')], [assigned('q1', 'n3', 2, 0, { previousNode: 'n2' })]), spy);
    // No assignment any more (a RESTART removed it): what this leader remembers.
    const again = planAssignments(state([c2], { c2: 'START' }, [node('n1'), node('n2')], [], { ranBefore: new Map([['q1', ['n1', 'n0']]]) }), spy);
    expect(seen).toEqual([['n3', 'n2'], ['n1', 'n0']]);
    // Back on n1: the record names the node before it that is not n1.
    expect(again.assign).toEqual([{ pipeline: 'q1', channel: 'c2', node: 'n1', reason: 'new', previousNode: 'n0' }]);
  });
});
