import type { ChannelPipelineSpecT, DataSourceSpecT, NodeRecord } from '../../../shared/cluster/model.ts';

/**
 * How the scheduler picks a node for a pipeline (after Milvus DataCoord: placement is a policy
 * that changes more often than the scheduling around it, so it is one small interface).
 *
 * The scheduler filters first: `eligible` holds only nodes in state 'up', allowed by the
 * pipeline's `placement.nodes` / `placement.dcs`, and below their capacity. A policy only
 * ranks them; it never widens the set.
 */

export interface PlacementContext {
  /** Pipelines per node: what stays where it is plus what this pass placed already. */
  load: ReadonlyMap<string, number>;
  /** Nodes that ran the pipeline before, most recent first (the assignment being replaced, then its previousNode). */
  previousNodes: readonly string[];
  /** Data sources by groupKey: their datacenters. */
  dataSources: Readonly<Record<string, Pick<DataSourceSpecT, 'dc'>>>;
}

export interface PlacementPolicy {
  readonly name: string;
  /** A node of `eligible` (never empty), or undefined to leave the pipeline unplaced this pass. */
  choose(pipeline: Pick<ChannelPipelineSpecT, 'name' | 'source' | 'target'>, eligible: readonly NodeRecord[], context: PlacementContext): NodeRecord | undefined;
}

const byId = (a: NodeRecord, b: NodeRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Ordered by id, so every choice is deterministic (and the same on every manager). */
export const sortedById = (nodes: readonly NodeRecord[]): NodeRecord[] => [...nodes].sort(byId);

/** The node with the fewest pipelines, ties to the lowest id. */
export function leastLoaded(nodes: readonly NodeRecord[], load: ReadonlyMap<string, number>): NodeRecord | undefined {
  const loadOf = (node: NodeRecord) => load.get(node.id) ?? 0;
  return [...nodes].sort((a, b) => loadOf(a) - loadOf(b) || byId(a, b))[0];
}
