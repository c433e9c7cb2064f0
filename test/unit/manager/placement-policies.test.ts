import { describe, expect, it } from 'vitest';
import { eligibleNodes } from '../../../manager/scheduler/eligibility.ts';
import { PLACEMENT_POLICIES, isPlacementPolicyName, type PlacementContext } from '../../../manager/scheduler/policies/index.ts';
import { node, pipe } from './scheduler-fixtures.ts';

const context = (extra: Partial<PlacementContext> = {}): PlacementContext => ({ load: new Map(), previousNodes: [], dataSources: { a: { dc: 'dc1' }, b: { dc: 'dc2' } }, ...extra });
const ids = (picks: ({ id: string } | undefined)[]) => picks.map((n) => n?.id);

describe('eligibility', () => {
  it("filters by placement nodes and dcs, state 'up' and room below capacity", () => {
    const nodes = [node('n1', { state: 'full' }), node('n2', { state: 'leaving' }), node('n3', { capacity: { pipelines: 1 } }), node('n4'), node('n5', { dc: 'dc2' })];
    expect(ids(eligibleNodes(pipe('p'), nodes, new Map([['n3', 1]])))).toEqual(['n4', 'n5']);
    expect(ids(eligibleNodes(pipe('p', { dcs: ['dc2'] }), nodes, new Map()))).toEqual(['n5']);
    expect(ids(eligibleNodes(pipe('p', { nodes: ['n4', 'n5'], dcs: ['dc1'] }), nodes, new Map()))).toEqual(['n4']);
  });
});

describe('placement policies', () => {
  const nodes = [node('n2'), node('n1'), node('n3', { dc: 'dc2' })];

  it('least-loaded takes the node with the fewest pipelines, ties to the lowest id', () => {
    const policy = PLACEMENT_POLICIES['least-loaded']();
    expect(policy.choose(pipe('p'), nodes, context())?.id).toBe('n1');
    expect(policy.choose(pipe('p'), nodes, context({ load: new Map([['n1', 2], ['n2', 1], ['n3', 1]]) }))?.id).toBe('n2');
  });

  it('round-robin takes nodes in turn by id, whatever their load', () => {
    const policy = PLACEMENT_POLICIES['round-robin']();
    const busy = context({ load: new Map([['n1', 9]]) });
    expect(ids([1, 2, 3, 4].map(() => policy.choose(pipe('p'), nodes, busy)))).toEqual(['n1', 'n2', 'n3', 'n1']);
    // The node after the last one chosen, even when the set changed in between.
    expect(policy.choose(pipe('p'), [node('n0'), node('n3')], busy)?.id).toBe('n3');
  });

  it('sticky goes back to the node that ran the pipeline before when it is eligible, else least-loaded', () => {
    const policy = PLACEMENT_POLICIES.sticky();
    expect(policy.choose(pipe('p'), nodes, context({ previousNodes: ['gone', 'n3'], load: new Map([['n3', 5]]) }))?.id).toBe('n3');
    expect(policy.choose(pipe('p'), nodes, context({ previousNodes: ['gone'] }))?.id).toBe('n1');
  });

  it("dc-aware prefers the target's datacenter, then the source's, then any", () => {
    const policy = PLACEMENT_POLICIES['dc-aware']();
    const dcs = [node('n1', { dc: 'dc1' }), node('n2', { dc: 'dc2' }), node('n3', { dc: 'dc2' }), node('n4', { dc: 'dc3' })];
    expect(policy.choose(pipe('p'), dcs, context({ load: new Map([['n2', 3]]) }))?.id).toBe('n3'); // a -> b: dc2, least loaded there
    expect(policy.choose(pipe('p'), [dcs[0]!, dcs[3]!], context())?.id).toBe('n1'); // no dc2 node: the source's dc1
    expect(policy.choose(pipe('p', undefined, { source: 'x', target: 'y' }), [dcs[3]!, dcs[0]!], context())?.id).toBe('n1'); // unknown dcs: any
    expect(policy.choose(pipe('p', undefined, { source: 'b', target: 'a' }), dcs, context())?.id).toBe('n1');
  });

  it('knows its names', () => {
    expect(Object.keys(PLACEMENT_POLICIES)).toEqual(['least-loaded', 'round-robin', 'sticky', 'dc-aware']);
    expect(isPlacementPolicyName('sticky')).toBe(true);
    expect(isPlacementPolicyName('toString')).toBe(false);
  });
});
