import { leastLoaded, type PlacementPolicy } from './placement-policy.ts';

/**
 * Near the data: a node in the target's datacenter, else one in the source's, else any; the
 * least loaded within that choice.
 *
 * Ferry runs all four stages of a pipeline in one node today (there is no remote pipe between
 * nodes yet), so the whole pipeline goes to one place. The target's datacenter wins because
 * Load is the chatty side (many small transactions, one round trip each), while the binlog
 * stream from the source is one long read that tolerates distance. Once a remote pipe exists,
 * Select/Extract go to the source's datacenter and Transform/Load to the target's.
 */
export const dcAwarePolicy = (): PlacementPolicy => ({
  name: 'dc-aware',
  choose(pipeline, eligible, { load, dataSources }) {
    for (const groupKey of [pipeline.target, pipeline.source]) {
      const dc = dataSources[groupKey]?.dc;
      const near = eligible.filter((node) => node.dc === dc);
      if (dc !== undefined && near.length > 0) return leastLoaded(near, load);
    }
    return leastLoaded(eligible, load);
  },
});
