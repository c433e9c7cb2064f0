import type { AssignmentRecord, ChannelPipelineSpecT, DataSourceSpecT, NodeRecord, SelectAssignmentRecord } from '../../shared/cluster/model.ts';
import type { Stored } from '../runtime-state.ts';
import { eligibleNodes } from './eligibility.ts';
import type { PlacementContext, PlacementPolicy } from './policies/index.ts';

/** What the two sides' records have in common. */
type SideRecord = Omit<AssignmentRecord, 'pipe'>;

/**
 * Split placement (docs/split-pipelines.md): the select side (Select, Extract) on a node of
 * the source's datacenter, the load side (Transform, Load) on a node of the target's that has
 * a pipe server. Pure, like the rest of the plan. The load side stays /assignments/<pipeline>
 * (its epoch fences the target); the select side is /select-assignments/<pipeline>.
 */

/** The datacenters of a pipeline's two ends when it should run split, else undefined. */
export function splitDcs(
  spec: Pick<ChannelPipelineSpecT, 'source' | 'target' | 'placement'>,
  dataSources: Readonly<Record<string, Pick<DataSourceSpecT, 'dc'>>>,
): { sourceDc: string; targetDc: string } | undefined {
  if ((spec.placement?.split ?? 'auto') === 'never') return undefined;
  const sourceDc = dataSources[spec.source]?.dc;
  const targetDc = dataSources[spec.target]?.dc;
  if (sourceDc === undefined || targetDc === undefined || sourceDc === targetDc) return undefined;
  return { sourceDc, targetDc };
}

/** May this node carry the given side of a split pipeline (whatever its state and load)? */
export const servesLoadSide = (node: NodeRecord, targetDc: string): boolean => node.dc === targetDc && node.pipe !== undefined;
export const servesSelectSide = (node: NodeRecord, sourceDc: string): boolean => node.dc === sourceDc;

/** One side as planned: `reason` set when it is placed (new epoch), absent when it stays (epoch kept). */
export interface SplitSide {
  node: string;
  reason?: string;
  /** The record replaced (its znode version, for the compare-and-set), if any. */
  previous?: { version: number; epoch: number; node: string };
  previousNode?: string;
}

/** Both records of a split pipeline, written together with a new pipe secret. */
export interface PlannedSplit {
  pipeline: string;
  channel: string;
  load: SplitSide;
  select: SplitSide;
  /** The load node's pipe endpoint, copied into the select record. */
  endpoint: { address: string; tls: boolean };
}

export interface SplitInputs {
  spec: ChannelPipelineSpecT;
  channel: string;
  dcs: { sourceDc: string; targetDc: string };
  nodes: ReadonlyMap<string, NodeRecord>;
  load: Map<string, number>;
  context: Omit<PlacementContext, 'previousNodes'>;
  policy: PlacementPolicy;
  /** Why a record must leave its node (gone, leaving, placement), or undefined when it may stay. */
  whyMove: (record: SideRecord) => string | undefined;
}

const nodesOf = (record: SideRecord | undefined): string[] =>
  record ? [record.node, record.previousNode].filter((id): id is string => id !== undefined) : [];

const previousOf = (stored: Stored<SideRecord> | undefined) =>
  stored ? { previous: { version: stored.version, epoch: stored.value.epoch, node: stored.value.node } } : {};

/** Why the load side must move, or undefined (a node gone but protected stays). */
function whyMoveLoad(inputs: SplitInputs, record: SideRecord): string | undefined {
  const why = inputs.whyMove(record);
  if (why !== undefined) return why;
  const node = inputs.nodes.get(record.node);
  if (node && node.dc !== inputs.dcs.targetDc) return `node ${node.id} is not in the target's datacenter ${inputs.dcs.targetDc}`;
  if (node && node.pipe === undefined) return `node ${node.id} has no pipe server`;
  return undefined;
}

function whyMoveSelect(inputs: SplitInputs, record: SideRecord): string | undefined {
  const why = inputs.whyMove(record);
  if (why !== undefined) return why;
  const node = inputs.nodes.get(record.node);
  if (node && node.dc !== inputs.dcs.sourceDc) return `node ${node.id} is not in the source's datacenter ${inputs.dcs.sourceDc}`;
  return undefined;
}

/** A node for one side among the eligible nodes that can serve it, counted in `load` once chosen. */
function choose(inputs: SplitInputs, serves: (node: NodeRecord) => boolean, previousNodes: string[], exclude?: string): NodeRecord | undefined {
  const eligible = eligibleNodes(inputs.spec, inputs.nodes.values(), inputs.load).filter((node) => serves(node) && node.id !== exclude);
  const node = eligible.length === 0 ? undefined : inputs.policy.choose(inputs.spec, eligible, { ...inputs.context, load: inputs.load, previousNodes });
  if (node) inputs.load.set(node.id, (inputs.load.get(node.id) ?? 0) + 1);
  return node;
}

const sideMoved = (node: NodeRecord, reason: string, current: Stored<SideRecord> | undefined): SplitSide => {
  const previousNode = nodesOf(current?.value).find((id) => id !== node.id);
  return { node: node.id, reason, ...previousOf(current), ...(previousNode === undefined ? {} : { previousNode }) };
};

/**
 * Both sides placed afresh (a new pipeline, or one whose whole assignment moves): undefined
 * when either datacenter has no eligible node for its side, and then nothing is counted, so
 * the caller places the pipeline whole as today.
 */
export function placeSplit(inputs: SplitInputs, reason: string, current: Stored<AssignmentRecord> | undefined, currentSelect: Stored<SelectAssignmentRecord> | undefined, ranBefore: readonly string[]): PlannedSplit | undefined {
  const { sourceDc, targetDc } = inputs.dcs;
  const before = new Map(inputs.load);
  const loadNode = choose(inputs, (n) => servesLoadSide(n, targetDc), current ? nodesOf(current.value) : [...ranBefore]);
  const selectNode = loadNode && choose(inputs, (n) => servesSelectSide(n, sourceDc), nodesOf(currentSelect?.value));
  if (!loadNode?.pipe || !selectNode) {
    inputs.load.clear();
    for (const [id, count] of before) inputs.load.set(id, count);
    return undefined;
  }
  return {
    pipeline: inputs.spec.name, channel: inputs.channel,
    load: sideMoved(loadNode, reason, current),
    select: sideMoved(selectNode, reason, currentSelect),
    endpoint: loadNode.pipe,
  };
}

/**
 * A split pipeline whose two records exist: nothing when both may stay and the select record
 * still names the load node's pipe endpoint; otherwise the side(s) that must move get a node
 * in their datacenter. 'unplaced' when a side must move and no node can take it (the records
 * stay as they are until one can, as an unplaced assignment does).
 */
export function keepSplit(inputs: SplitInputs, current: Stored<AssignmentRecord>, currentSelect: Stored<SelectAssignmentRecord>): PlannedSplit | 'stays' | 'unplaced' {
  const loadWhy = whyMoveLoad(inputs, current.value);
  const selectWhy = whyMoveSelect(inputs, currentSelect.value);
  const loadNow = inputs.nodes.get(current.value.node);
  const endpoint = currentSelect.value.pipe;
  const staleEndpoint = loadWhy === undefined && loadNow?.pipe !== undefined && (loadNow.pipe.address !== endpoint.address || loadNow.pipe.tls !== endpoint.tls);
  if (loadWhy === undefined && selectWhy === undefined && !staleEndpoint) return 'stays';

  const stay = (stored: Stored<SideRecord>): SplitSide => ({ node: stored.value.node, ...previousOf(stored) });
  const loadNode = loadWhy === undefined ? undefined : choose(inputs, (n) => servesLoadSide(n, inputs.dcs.targetDc), nodesOf(current.value), current.value.node);
  const selectNode = selectWhy === undefined ? undefined : choose(inputs, (n) => servesSelectSide(n, inputs.dcs.sourceDc), nodesOf(currentSelect.value), currentSelect.value.node);
  if ((loadWhy !== undefined && !loadNode) || (selectWhy !== undefined && !selectNode)) return 'unplaced';
  const pipe = loadNode?.pipe ?? loadNow?.pipe ?? { address: endpoint.address, tls: endpoint.tls };
  return {
    pipeline: inputs.spec.name, channel: inputs.channel,
    load: loadNode && loadWhy !== undefined ? sideMoved(loadNode, loadWhy, current) : stay(current),
    select: selectNode && selectWhy !== undefined ? sideMoved(selectNode, selectWhy, currentSelect) : stay(currentSelect),
    endpoint: pipe,
  };
}
