import { leastLoaded, type PlacementPolicy } from './placement-policy.ts';

/** The default: the node running the fewest pipelines, ties to the lowest id. */
export const leastLoadedPolicy = (): PlacementPolicy => ({
  name: 'least-loaded',
  choose: (_pipeline, eligible, { load }) => leastLoaded(eligible, load),
});
