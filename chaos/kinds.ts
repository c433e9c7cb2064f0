/**
 * The fault kinds the chaos suite injects, and the bound Ferry promises for each: how long
 * after the injection replication must move again. Every bound is built from the cluster's own
 * timeouts (chaos/cluster-timeouts.ts) plus SLACK_S, which pays for two cores shared with other
 * work: a process started again needs seconds of CPU before it serves.
 */
export const FAULT_KINDS = ['node-kill', 'node-down', 'leader-manager-kill', 'manager-kill', 'node-stop', 'node-stop-long', 'target-restart', 'source-kill', 'zookeeper-kill', 'zookeeper-quorum-loss', 'node-full', 'source-switch', 'peer-kill', 'wan-cut', 'wan-blackhole'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the bounds are made of, in seconds. */
export interface Timeouts {
  /** ZooKeeper session timeout of managers and nodes. */
  sessionS: number;
  /** The managers' protection period: how long a vanished node's work waits for it. */
  protectionS: number;
  /** How long a node-stop fault keeps the node stopped (past its session timeout). */
  stopS: number;
  /** How long a node-stop-long fault keeps it stopped: past session and protection period. */
  longStopS: number;
  /** How long two of the three ZooKeeper members stay down in a zookeeper-quorum-loss fault. */
  quorumLossS: number;
  /** How long a node-full fault keeps a node reported 'full': past session and protection period. */
  fullS: number;
  /** How long a wan-cut fault keeps the WAN cut (every pipe connection reset, new ones refused). */
  wanCutS: number;
  /** How long a wan-blackhole fault keeps the WAN dark: past the pipe's silence bound, so it is noticed. */
  wanBlackholeS: number;
}

/**
 * The pipe's documented liveness (README, "Failures"): a cut or dark link is noticed within
 * 5 s (heartbeats every second both ways), then both sides fail to the arbiter.
 */
export const PIPE_SILENCE_S = 5;

/** The kinds that hit one node: drawn against the node running the pipeline or an idle one. */
export const NODE_KINDS: readonly FaultKind[] = ['node-kill', 'node-down', 'node-stop', 'node-stop-long', 'node-full'];

/**
 * What a kind hits. Two faults overlap (the second injected while the first is unresolved)
 * only when they hit different parts: two faults on one process would race to restart it, and
 * the bound of a pair is only meaningful when each fault has its own repair.
 */
export type FaultDomain = 'node' | 'manager' | 'zookeeper' | 'source' | 'target' | 'peer' | 'wan';

export function faultDomain(kind: FaultKind): FaultDomain {
  switch (kind) {
    case 'node-kill':
    case 'node-down':
    case 'node-stop':
    case 'node-stop-long':
    case 'node-full':
      return 'node';
    case 'leader-manager-kill':
    case 'manager-kill':
      return 'manager';
    case 'zookeeper-kill':
    case 'zookeeper-quorum-loss':
      return 'zookeeper';
    case 'source-kill':
    case 'source-switch':
      return 'source';
    case 'target-restart':
      return 'target';
    case 'peer-kill':
      return 'peer';
    case 'wan-cut':
    case 'wan-blackhole':
      return 'wan';
  }
}

/**
 * Kinds whose injection writes to ZooKeeper (a node's state, a data source's switch through the
 * API): they cannot be injected while the ensemble has no quorum, so they never overlap a quorum loss.
 */
const WRITES_TO_ZOOKEEPER: ReadonlySet<FaultKind> = new Set(['node-full', 'source-switch']);

/** Whether `second` may be injected while `first` is unresolved. */
export function canOverlap(first: FaultKind, second: FaultKind): boolean {
  if (faultDomain(first) === faultDomain(second)) return false;
  const quorumLoss = first === 'zookeeper-quorum-loss' || second === 'zookeeper-quorum-loss';
  return !(quorumLoss && (WRITES_TO_ZOOKEEPER.has(first) || WRITES_TO_ZOOKEEPER.has(second)));
}

/**
 * How often a node measures the data sources' health, which a switch without force waits on
 * (HEALTH_INTERVAL_MS of node/cluster/health-prober.ts; the chaos nodes keep the default).
 */
export const HEALTH_ROUND_S = 3;

/** Added to every bound: start-up of a restarted process and a scheduler tick on a loaded machine. */
export const SLACK_S = 30;

/**
 * The bound for one kind, in seconds from the injection:
 * - node-kill: the dead node's session expires, its work waits out the protection period, then
 *   moves (or the node, restarted at once, claims it again);
 * - node-down: as node-kill, but the node stays away past its protection period, so that its
 *   work moves to another node (started again only then);
 * - leader-manager-kill: the other manager leads after the session timeout; pipelines never
 *   depend on a manager to run, so this is an upper bound;
 * - manager-kill: a non-leader is no part of the data path;
 * - node-stop: the stop itself, then as for a dead node;
 * - node-stop-long: stopped until its work has moved: the bound of a dead node, while the
 *   stopped one, woken later, must not write with its old epoch (the final check sees it if it did);
 * - target-restart: the database's own restart (within the slack) and the load side's retry;
 * - source-kill: kill -9 of the source database, started again at once: its crash recovery
 *   (within the slack) and the binlog reader's reconnection;
 * - zookeeper-kill: kill -9 of the ensemble's leader, started again at once: the others elect
 *   a leader in about a second, and sessions survive that move within their timeout;
 * - zookeeper-quorum-loss: two members killed, started again quorumLossS after the kill; the
 *   probe is written only after the nodes' leases ran out (a session timeout after the kill),
 *   when every node has aborted its pipelines, since it cannot know it still holds them. No
 *   session can be kept or taken over meanwhile, so after the outage as for a dead node;
 * - node-full: a node reports disk or memory pressure. A full node keeps what it runs and only
 *   gets nothing new (manager/scheduler/eligibility.ts), so replication must not pause at all:
 *   the slack alone.
 * - source-switch: a switchover of the source group (chaos/switchover.ts): the writers finish
 *   their transactions, the standby applies the master's position and is promoted (each under
 *   a second), then the switch waits for a health round that measures the standby caught up
 *   (one may be under way with older positions: two rounds) and the node restarts the pipeline
 *   on the new master from the target's checkpoint (a runner restart, within the slack).
 * - peer-kill: kill -9 of the peer, the bidirectional channel's primary master (the source of
 *   chaos-bi-a2b, the target of chaos-bi-b2a), started again at once: as source-kill, for both
 *   directions at once.
 * - wan-cut: every pipe connection reset and new ones refused for wanCutS: both sides fail
 *   to the arbiter (ROLLBACK, then RESTART places them again), and the select side dials until
 *   the link heals: the pipe's liveness bound, the outage and the slack;
 * - wan-blackhole: nothing crosses and nothing closes for wanBlackholeS: heartbeats notice the
 *   silence within the liveness bound, then as a cut: the same sum.
 *
 * A node fault aimed at an idle node (one that runs nothing) keeps its kind's bound: replication
 * should not pause at all, and the bound is what it must stay within if it does.
 */
export function boundSeconds(kind: FaultKind, t: Timeouts): number {
  switch (kind) {
    case 'node-kill':
    case 'node-down':
    case 'node-stop-long':
      return t.sessionS + t.protectionS + SLACK_S;
    case 'leader-manager-kill':
      return t.sessionS + SLACK_S;
    case 'manager-kill':
    case 'node-full':
      return SLACK_S;
    case 'node-stop':
      return t.stopS + t.sessionS + t.protectionS + SLACK_S;
    case 'target-restart':
    case 'source-kill':
    case 'peer-kill':
      return 2 * SLACK_S;
    case 'zookeeper-kill':
      return t.sessionS + SLACK_S;
    case 'zookeeper-quorum-loss':
      return t.quorumLossS + t.sessionS + t.protectionS + SLACK_S;
    case 'source-switch':
      return 2 * HEALTH_ROUND_S + SLACK_S;
    case 'wan-cut':
      return PIPE_SILENCE_S + t.wanCutS + SLACK_S;
    case 'wan-blackhole':
      return PIPE_SILENCE_S + t.wanBlackholeS + SLACK_S;
  }
}
