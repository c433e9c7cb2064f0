import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelView, PipelineView } from '../manager/index.ts';
import { FerryError } from '../shared/errors/index.ts';
import { CHANNEL, CHAOS_NODES, PIPELINE, type ChaosCluster } from './cluster.ts';
import type { ChaosProcess } from './processes.ts';
import type { PipelineSide } from './schedule.ts';

/** The chaos channel as the API shows it, or undefined while no manager answers. */
export async function channelView(cluster: ChaosCluster): Promise<ChannelView | undefined> {
  return (await cluster.api()).call<ChannelView>('GET', `/channels/${CHANNEL}`).catch(() => undefined);
}

/** The main pipeline as the API shows it, or undefined while no manager answers. */
export async function pipelineView(cluster: ChaosCluster): Promise<PipelineView | undefined> {
  return (await channelView(cluster))?.pipelines.find((p) => p.name === PIPELINE);
}

/** Where both sides of the main pipeline run (one node twice when it runs whole); waits while it is unplaced. */
export async function placedStages(cluster: ChaosCluster, signal: AbortSignal): Promise<NonNullable<PipelineView['stages']>> {
  for (;;) {
    const stages = (await pipelineView(cluster))?.stages;
    const known = (id: string | undefined) => cluster.nodes.some((n) => n.name === id);
    if (stages && known(stages.select.node) && known(stages.load.node)) return stages;
    if (signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
    await sleep(250);
  }
}

/** The node running one side of the main pipeline. */
export async function sideNode(cluster: ChaosCluster, side: PipelineSide, signal: AbortSignal): Promise<ChaosProcess> {
  const stages = await placedStages(cluster, signal);
  return cluster.nodes.find((n) => n.name === stages[side].node)!;
}

/**
 * A node running neither side, in the side's datacenter when there is one (a fault there is
 * one its side could have moved to). The first such node: the schedule, not this choice, is
 * what the seed replays.
 */
export async function idleNode(cluster: ChaosCluster, side: PipelineSide, signal: AbortSignal): Promise<ChaosProcess> {
  const stages = await placedStages(cluster, signal);
  const busy = new Set([stages.select.node, stages.load.node]);
  const idle = cluster.nodes.filter((n) => !busy.has(n.name));
  const dc = stages[side].dc;
  const sameDc = idle.find((n) => CHAOS_NODES.find((c) => c.id === n.name)?.dc === dc);
  return sameDc ?? idle[0] ?? cluster.nodes.find((n) => n.name === stages[side].node)!;
}
