import { leastLoaded, type PlacementPolicy } from './placement-policy.ts';

/**
 * Back to a node that ran the pipeline before, when it is eligible again (its caches and
 * connections are warm, and operators find the pipeline where they left it); otherwise the
 * least-loaded node. "Before" is what the assignment remembers: the node being replaced,
 * then its `previousNode`. A STOP deletes the assignment and with it this memory.
 */
export const stickyPolicy = (): PlacementPolicy => ({
  name: 'sticky',
  choose(_pipeline, eligible, { load, previousNodes }) {
    for (const id of previousNodes) {
      const node = eligible.find((candidate) => candidate.id === id);
      if (node) return node;
    }
    return leastLoaded(eligible, load);
  },
});
