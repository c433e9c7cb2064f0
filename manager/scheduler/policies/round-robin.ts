import type { NodeRecord } from '../../../shared/cluster/model.ts';
import { sortedById, type PlacementPolicy } from './placement-policy.ts';

/**
 * Nodes in turn, in id order, whatever their load: the next node after the one chosen last.
 * The cursor lives for one leadership term (a new leader starts again from the lowest id);
 * nothing depends on it but the spread.
 */
export function roundRobinPolicy(): PlacementPolicy {
  let last: string | undefined;
  return {
    name: 'round-robin',
    choose(_pipeline, eligible) {
      const nodes = sortedById(eligible);
      const next: NodeRecord | undefined = nodes.find((node) => last === undefined || node.id > last) ?? nodes[0];
      if (next) last = next.id;
      return next;
    },
  };
}
