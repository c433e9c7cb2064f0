import type { ChannelPipelineSpecT, NodeRecord } from '../../shared/cluster/model.ts';

/**
 * Which nodes may take a pipeline, before any placement policy ranks them: the pipeline's
 * `placement` (nodes, datacenters) first, then the node's state and room. A 'full' node
 * (memory or disk short, or at its capacity) keeps what it runs but gets nothing new; a
 * 'leaving' one gets nothing and loses what it has.
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
