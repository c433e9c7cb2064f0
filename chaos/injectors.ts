import { setTimeout as sleep } from 'node:timers/promises';
import { restartMariaDb, stopMariaDb } from '../services/index.ts';
import { FerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { CHAOS_TIMEOUTS, type ChaosCluster } from './cluster.ts';
import type { FaultKind } from './kinds.ts';
import { reportFull } from './node-full.ts';
import type { ChaosProcess } from './processes.ts';
import type { PipelineSide } from './schedule.ts';
import { crash, startMariaDbAgain, startZooKeeperAgain, zooKeeperLeader } from './servers.ts';
import { switchOver, untilFerryReadsNewMaster } from './switchover.ts';
import { idleNode, pipelineView, placedStages, sideNode } from './sides.ts';
import { wanFault } from './wan-faults.ts';

export interface InjectContext {
  cluster: ChaosCluster;
  /** Node faults: hit a node that runs nothing rather than the pipeline's. */
  idle: boolean;
  /** Node faults: the side of the split pipeline whose node is hit (or, idle, whose datacenter). */
  side: PipelineSide | null;
  log: Logger;
  signal: AbortSignal;
}

/** A fault under way: what it hit, and the step that ends it (a restart, a SIGCONT). */
export interface Injected {
  target: string;
  /** Runs after the injection; the fault is resolved when this and the recovery are done. */
  repair: () => Promise<void>;
}

export type Injector = (ctx: InjectContext) => Promise<Injected>;

/** The node a node fault hits: the one running its side (chaos/sides.ts), or when `idle` one running neither. */
async function nodeFor(ctx: InjectContext): Promise<ChaosProcess> {
  const side = ctx.side ?? 'load';
  return ctx.idle ? idleNode(ctx.cluster, side, ctx.signal) : sideNode(ctx.cluster, side, ctx.signal);
}

/** Waits (a minute at most) until the managers show the node as 'full'. */
async function untilFullSeen(ctx: InjectContext, id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const cluster = await (await ctx.cluster.api()).call<{ nodes: { id: string; state: string }[] }>('GET', '/cluster').catch(() => undefined);
    if (cluster?.nodes.find((n) => n.id === id)?.state === 'full') return;
    if (ctx.signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
    if (Date.now() > deadline) throw new FerryError('FERRY_ERR_CHAOS_NODE_FULL', { node: id, detail: 'never showed as full in GET /cluster' });
    await sleep(250);
  }
}

async function leaderManager(ctx: InjectContext): Promise<{ leader: ChaosProcess; other: ChaosProcess }> {
  for (;;) {
    const cluster = await (await ctx.cluster.api()).call<{ leader: string | null }>('GET', '/cluster').catch(() => undefined);
    const leader = ctx.cluster.managers.find((m) => m.name === cluster?.leader);
    const other = ctx.cluster.managers.find((m) => m !== leader);
    if (leader && other) return { leader, other };
    if (ctx.signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
    await sleep(250);
  }
}

/** kill -9 and start again at once, as a supervisor would; resolved when it serves again. */
async function killAndRestart(process: ChaosProcess, ready: RegExp): Promise<Injected> {
  await process.kill9();
  process.restart();
  return { target: process.name, repair: async () => void (await process.process.waitForLine(ready, 300_000)) };
}

/** SIGSTOP now, SIGCONT after `seconds` (the repair). */
function stopFor(node: ChaosProcess, seconds: number): Injected {
  node.freeze();
  return {
    target: node.name,
    repair: async () => {
      await sleep(seconds * 1000);
      node.thaw();
    },
  };
}

export const INJECTORS: Record<FaultKind, Injector> = {
  'node-kill': async (ctx) => killAndRestart(await nodeFor(ctx), /registered/),
  'node-down': async (ctx) => {
    const node = await nodeFor(ctx);
    await node.kill9();
    return {
      target: node.name,
      repair: async () => {
        // Away past session and protection period: the work moves before it is back.
        await sleep((CHAOS_TIMEOUTS.sessionS + CHAOS_TIMEOUTS.protectionS + 3) * 1000);
        node.restart();
        await node.process.waitForLine(/registered/, 300_000);
      },
    };
  },
  'leader-manager-kill': async (ctx) => killAndRestart((await leaderManager(ctx)).leader, /listening on/),
  'manager-kill': async (ctx) => killAndRestart((await leaderManager(ctx)).other, /listening on/),
  // Stopped past its session timeout: ZooKeeper expires it while it cannot notice.
  'node-stop': async (ctx) => stopFor(await nodeFor(ctx), CHAOS_TIMEOUTS.stopS),
  // Stopped until its work has moved: woken, it still holds batches of an old epoch.
  'node-stop-long': async (ctx) => stopFor(await nodeFor(ctx), CHAOS_TIMEOUTS.longStopS),
  // Reported full (disk or memory pressure) past session and protection period, then cleared:
  // a full node keeps its work, so the probe must arrive meanwhile.
  'node-full': async (ctx) => {
    const node = await nodeFor(ctx);
    const ran = ctx.idle ? undefined : node.name;
    const side = ctx.side ?? 'load';
    const epoch = (await pipelineView(ctx.cluster))?.epoch ?? null;
    const full = await reportFull(ctx.cluster.zkConnect, ctx.cluster.nodeAuthFile, node.name);
    return {
      target: node.name,
      repair: async () => {
        await sleep(CHAOS_TIMEOUTS.fullS * 1000);
        try {
          // The managers must have seen the report, and the node kept what it ran meanwhile.
          await untilFullSeen(ctx, node.name);
          const stages = await placedStages(ctx.cluster, ctx.signal);
          const now = (await pipelineView(ctx.cluster))?.epoch ?? null;
          if (now === epoch) {
            if (ran !== undefined && stages[side].node !== ran) throw new FerryError('FERRY_ERR_CHAOS_NODE_FULL', { node: node.name, detail: `lost its ${side} side to ${stages[side].node} without a new placement` });
          } else if (stages.select.node === node.name || stages.load.node === node.name) {
            // An overlapping fault's RESTART placed the pipeline anew (a higher epoch):
            // a full node gets nothing new, so neither side may have landed on it.
            throw new FerryError('FERRY_ERR_CHAOS_NODE_FULL', { node: node.name, detail: `was given a side of the pipeline while full (epoch ${String(epoch)} to ${String(now)})` });
          }
        } finally {
          await full.clear();
        }
      },
    };
  },
  // The group's master of now; started again, it is master again (its standby reconnects within a second).
  'source-kill': async (ctx) => {
    const { services, sourceGroup } = ctx.cluster;
    const source = sourceGroup.master();
    await crash(source.pid);
    return { target: source.name, repair: () => startMariaDbAgain(services, source, ctx.log) };
  },
  // The bidirectional channel's primary master: a2b loses its source, b2a its target, at once.
  'peer-kill': async (ctx) => {
    const { services, peer } = ctx.cluster;
    await crash(peer.pid);
    return { target: peer.name, repair: () => startMariaDbAgain(services, peer, ctx.log) };
  },
  'zookeeper-kill': async (ctx) => {
    const { services } = ctx.cluster;
    const leader = await zooKeeperLeader(services);
    await crash(leader.pid);
    return { target: `zk${leader.id}`, repair: () => startZooKeeperAgain(services, leader) };
  },
  'zookeeper-quorum-loss': async (ctx) => {
    const { services } = ctx.cluster;
    const leader = await zooKeeperLeader(services);
    const lost = [leader, services.zookeeper.servers.find((s) => s !== leader)!];
    await Promise.all(lost.map((server) => crash(server.pid)));
    // Past every node's lease (shorter than the session): by then each has aborted its
    // pipelines, as it must when it cannot know whether it still holds them. A probe written
    // sooner slips through before that and would time nothing.
    await sleep(CHAOS_TIMEOUTS.sessionS * 1000, undefined, { signal: ctx.signal }).catch(() => undefined);
    return {
      target: lost.map((server) => `zk${server.id}`).join('+'),
      repair: async () => {
        await sleep((CHAOS_TIMEOUTS.quorumLossS - CHAOS_TIMEOUTS.sessionS) * 1000);
        await Promise.all(lost.map((server) => startZooKeeperAgain(services, server)));
      },
    };
  },
  // The whole WAN cut, then dark, past the pipe's silence bound: both sides must fail and restart.
  'wan-cut': (ctx) => wanFault(ctx.cluster, 'cut', CHAOS_TIMEOUTS.wanCutS, ctx.log, ctx.signal),
  'wan-blackhole': (ctx) => wanFault(ctx.cluster, 'blackhole', CHAOS_TIMEOUTS.wanBlackholeS, ctx.log, ctx.signal),
  'target-restart': async (ctx) => {
    const { services, target } = ctx.cluster;
    // Stopped within the injection, so the probe written next can only arrive after the start.
    await stopMariaDb(services, target.name);
    return { target: target.name, repair: async () => void (await restartMariaDb(services, target.name, ctx.log)) };
  },
  // A DBA's switchover under load, then Ferry's switch through the API (roles swap each time);
  // the repair: Ferry's binlog reader has left the old master for the new one.
  'source-switch': async (ctx) => {
    const switched = await switchOver(ctx);
    return { target: `${switched.from.name}->${switched.to.name}`, repair: () => untilFerryReadsNewMaster(ctx, switched) };
  },
};
