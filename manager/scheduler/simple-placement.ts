import type { ChannelPipelineSpecT, NodeRecord } from '../../shared/cluster/model.ts';

/**
 * Where the simple scheduler puts a pipeline: on a live node in state 'up' that the
 * pipeline's placement allows (placement.nodes, placement.dcs) and that has room
 * (capacity.pipelines), the one with the fewest pipelines, ties to the lowest id. Choosing
 * one pipeline at a time with the counts updated in between spreads them round-robin.
 * Issue #6 replaces this with pluggable placement policies.
 */

/** May this node run the pipeline at all, whatever its state and load? */
export function placementAllows(pipeline: Pick<ChannelPipelineSpecT, 'placement'>, node: Pick<NodeRecord, 'id' | 'dc'>): boolean {
  const { nodes, dcs } = pipeline.placement ?? {};
  if (nodes !== undefined && !nodes.includes(node.id)) return false;
  if (dcs !== undefined && !dcs.includes(node.dc)) return false;
  return true;
}

/** Nodes that may take the pipeline now. `load` counts the pipelines assigned to each node. */
export function eligibleNodes(pipeline: Pick<ChannelPipelineSpecT, 'placement'>, nodes: Iterable<NodeRecord>, load: ReadonlyMap<string, number>): NodeRecord[] {
  return [...nodes].filter((node) => node.state === 'up' && placementAllows(pipeline, node) && (load.get(node.id) ?? 0) < node.capacity.pipelines);
}

/** The node to place the pipeline on, or undefined when none is eligible. */
export function chooseNode(pipeline: Pick<ChannelPipelineSpecT, 'placement'>, nodes: Iterable<NodeRecord>, load: ReadonlyMap<string, number>): NodeRecord | undefined {
  const loadOf = (node: NodeRecord) => load.get(node.id) ?? 0;
  return eligibleNodes(pipeline, nodes, load).sort((a, b) => loadOf(a) - loadOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}
