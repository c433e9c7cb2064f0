import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../../../shared/cluster/model.ts';
import { NodeLiveness } from '../../../manager/monitor/node-liveness.ts';
import { PendingAcks } from '../../../manager/monitor/pending-acks.ts';

const live = (entries: Record<string, NodeRecord['state']>) => new Map(Object.entries(entries).map(([id, state]) => [id, { state }]));
const none = { leaving: [], down: [], back: [], expired: [] };

describe('node liveness (protection period)', () => {
  it('protects a vanished node for the period, then reports it expired once', () => {
    const liveness = new NodeLiveness(1_000);
    expect(liveness.observe(live({ n1: 'up', n2: 'up' }), new Set(['n2']), 0)).toEqual(none);
    expect(liveness.observe(live({ n1: 'up' }), new Set(['n2']), 100)).toEqual({ ...none, down: [{ node: 'n2', protectedMs: 1_000 }] });
    expect(liveness.protectedNodes(1_099)).toEqual(new Set(['n2']));
    expect(liveness.nextExpiryInMs(600)).toBe(500);
    expect(liveness.observe(live({ n1: 'up' }), new Set(['n2']), 1_099)).toEqual(none);
    expect(liveness.observe(live({ n1: 'up' }), new Set(['n2']), 1_100)).toEqual({ ...none, expired: ['n2'] });
    expect(liveness.protectedNodes(1_100)).toEqual(new Set());
    expect(liveness.nextExpiryInMs(1_100)).toBeUndefined();
    expect(liveness.observe(live({ n1: 'up' }), new Set(['n2']), 5_000)).toEqual(none);
    // Its work moved: it is forgotten, and coming back later is just a node registering.
    expect(liveness.observe(live({ n1: 'up' }), new Set(['n1']), 5_100)).toEqual(none);
    expect(liveness.observe(live({ n1: 'up', n2: 'up' }), new Set(['n1']), 5_200)).toEqual(none);
  });

  it('a node back within the period keeps its work', () => {
    const liveness = new NodeLiveness(1_000);
    liveness.observe(live({}), new Set(['n2']), 0);
    expect(liveness.observe(live({ n2: 'up' }), new Set(['n2']), 900)).toEqual({ ...none, back: ['n2'] });
    expect(liveness.protectedNodes(5_000)).toEqual(new Set());
    // Gone again later: a fresh period from then.
    expect(liveness.observe(live({}), new Set(['n2']), 3_000).down).toEqual([{ node: 'n2', protectedMs: 1_000 }]);
    expect(liveness.protectedNodes(3_999)).toEqual(new Set(['n2']));
  });

  it("gives no protection to a node last seen 'leaving'", () => {
    const liveness = new NodeLiveness(1_000);
    expect(liveness.observe(live({ n1: 'up' }), new Set(['n1']), 0)).toEqual(none);
    expect(liveness.observe(live({ n1: 'leaving' }), new Set(['n1']), 5)).toEqual({ ...none, leaving: ['n1'] });
    expect(liveness.observe(live({ n1: 'leaving' }), new Set(['n1']), 6)).toEqual(none);
    expect(liveness.observe(live({}), new Set(['n1']), 10)).toEqual(none);
    expect(liveness.protectedNodes(10)).toEqual(new Set());
    expect(liveness.nextExpiryInMs(10)).toBeUndefined();
  });

  it('a new leader (a fresh tracker) starts the period when it first sees the node missing', () => {
    const liveness = new NodeLiveness(1_000);
    expect(liveness.observe(live({}), new Set(['n2']), 50_000).down).toEqual([{ node: 'n2', protectedMs: 1_000 }]);
    expect(liveness.protectedNodes(50_999)).toEqual(new Set(['n2']));
  });
});

describe('pending acks', () => {
  it('reports an assignment not acked within the timeout once, per epoch', () => {
    const acks = new PendingAcks(1_000);
    const p1 = { pipeline: 'p1', node: 'n1', epoch: 3 };
    expect(acks.overdue([p1], 0)).toEqual([]);
    expect(acks.overdue([p1], 999)).toEqual([]);
    expect(acks.overdue([p1], 1_000)).toEqual([{ ...p1, waitedMs: 1_000 }]);
    expect(acks.overdue([p1], 5_000)).toEqual([]);
    // A new epoch is a new assignment; an acked one is forgotten.
    expect(acks.overdue([{ ...p1, epoch: 4 }], 5_000)).toEqual([]);
    expect(acks.overdue([{ ...p1, epoch: 4 }], 6_000)).toEqual([{ ...p1, epoch: 4, waitedMs: 1_000 }]);
    expect(acks.overdue([], 7_000)).toEqual([]);
    expect(acks.overdue([{ ...p1, epoch: 4 }], 7_500)).toEqual([]);
  });
});
