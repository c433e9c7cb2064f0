import { performance } from 'node:perf_hooks';
import { EventLog } from '../../shared/cluster/event-log.ts';
import type { AssignmentRecord, ConfigSnapshot, NodeRecord, PermitRecord } from '../../shared/cluster/model.ts';
import { sealNewPipeSecret, type KeySource } from '../../shared/secrets/index.ts';
import type { LeaderDuty, LeaderDutyContext } from '../leader-duties.ts';
import { NodeLiveness } from '../monitor/node-liveness.ts';
import { PendingAcks } from '../monitor/pending-acks.ts';
import { readAssignments, readNodes, readPermits, readSelectAssignments, type Stored } from '../runtime-state.ts';
import { WatchSet } from '../watch-set.ts';
import { planAssignments } from './assignment-plan.ts';
import { writePlan } from './assignment-writes.ts';
import { NodeLossRestarts, type ChannelRestart } from './node-loss-restarts.ts';
import { PassLoop } from './pass-loop.ts';
import { DEFAULT_PLACEMENT_POLICY, PLACEMENT_POLICIES, type PlacementPolicyName } from './policies/index.ts';
import { SchedulerEvents } from './scheduler-events.ts';
import { splitDcs } from './split-plan.ts';

export interface SchedulerOptions {
  /** How long the work of a vanished node waits for it to come back. @default 90000 */
  protectionPeriodMs?: number;
  /** @default 'least-loaded' */
  placementPolicy?: PlacementPolicyName;
  /** A live node that has not acked its assignment after this long raises a WARNING. @default 30000 */
  ackTimeoutMs?: number;
  /** RESTART for each started channel that had work on a node whose protection ran out. @default none: the work just moves */
  restartChannel?: ChannelRestart;
  /** Quiet time after a watch fires before re-evaluating (bursts make one pass). @default 100 */
  debounceMs?: number;
  /** Re-evaluation without any event, in case a watch was lost. @default 3000 */
  safetyNetMs?: number;
  /** Monotonic milliseconds; never the wall clock. @default performance.now */
  now?: () => number;
  /** The cluster key, to seal pipe secrets: without one no pipeline is split. @default none */
  secrets?: KeySource;
}

/**
 * The leader's scheduler duty: watches /nodes, /permits, /assignments and the configuration
 * epoch, follows vanished nodes through their protection period (manager/monitor), and makes
 * /assignments match planAssignments, one compare-and-set multi-op per pass (writePlan).
 * Its memory (vanished nodes, pending acks, where pipelines ran, the policy's cursor) lives
 * for one leadership term: a new leader starts every clock afresh, so it never moves work
 * earlier than a whole protection period after IT saw the node missing.
 */
export class Scheduler implements LeaderDuty {
  readonly name = 'scheduler';
  private readonly watches = new WatchSet(() => this.loop.trigger());
  private readonly loop: PassLoop;
  private readonly liveness: NodeLiveness;
  private readonly acks: PendingAcks;
  private readonly policy;
  private readonly report: SchedulerEvents;
  private readonly restarts: NodeLossRestarts | undefined;
  private readonly now: () => number;
  /** Where each pipeline ran, as last seen: [node, previousNode]. */
  private readonly ranOn = new Map<string, string[]>();
  private config: ConfigSnapshot | undefined;
  private readonly secrets: KeySource;
  /** Said once per term: pipelines that would split stay whole for want of a key. */
  private saidNoKey = false;

  constructor(private readonly ctx: LeaderDutyContext, options: SchedulerOptions = {}) {
    this.loop = new PassLoop(() => this.reconcile(), ctx.log, { debounceMs: options.debounceMs ?? 100, safetyNetMs: options.safetyNetMs ?? 3_000, onFailure: () => this.watches.clear() });
    this.liveness = new NodeLiveness(options.protectionPeriodMs ?? 90_000);
    this.acks = new PendingAcks(options.ackTimeoutMs ?? 30_000);
    this.policy = PLACEMENT_POLICIES[options.placementPolicy ?? DEFAULT_PLACEMENT_POLICY]();
    const events = new EventLog(ctx.zk, { log: ctx.log });
    const by = `manager:${ctx.managerId}`;
    this.report = new SchedulerEvents(events, by, ctx.log);
    if (options.restartChannel) this.restarts = new NodeLossRestarts(options.restartChannel, { zk: ctx.zk, log: ctx.log, events, by }, () => this.loop.trigger());
    this.now = options.now ?? (() => performance.now());
    this.secrets = options.secrets ?? (() => undefined);
  }

  start(): void {
    this.loop.start();
  }

  /** A RESTART already raised runs to its end under the channel lock, like one raised through the API. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: read everything (re-arming watches), note who vanished, plan, write, report. Resolves true to go again. */
  private async reconcile(): Promise<boolean> {
    const { zk, store } = this.ctx;
    const epoch = await store.epoch(this.watches.watcher('epoch'));
    if (this.config?.epoch !== epoch) this.config = await store.snapshot();
    const [nodeRecords, permitRecords, assignments, selectAssignments] = await Promise.all([
      this.watchedRecords<NodeRecord>('node', (w) => readNodes(zk, w)),
      this.watchedRecords<PermitRecord>('permit', (w) => readPermits(zk, w)),
      readAssignments(zk, { children: this.watches.watcher('assignments') }),
      readSelectAssignments(zk, { children: this.watches.watcher('select-assignments') }),
    ]);
    const nodes = new Map([...nodeRecords].map(([id, { value }]) => [id, value]));
    const permits = new Map([...permitRecords].map(([name, { value }]) => [name, value]));
    const started = (channel: string) => permits.get(channel)?.status === 'START';
    const work = workByNode([...assignments.values(), ...selectAssignments.values()]);
    const now = this.now();
    const changes = this.liveness.observe(nodes, new Set(work.keys()), now);
    await this.report.liveness(changes, work);
    for (const node of changes.expired) {
      const channels = [...new Set((work.get(node) ?? []).map((a) => a.channel))].filter(started);
      if (channels.length > 0) this.restarts?.raise(node, channels);
    }
    this.loop.wakeIn(this.liveness.nextExpiryInMs(now));
    this.remember(assignments);

    const protectedNodes = new Set([...this.liveness.protectedNodes(now), ...(this.restarts?.holding() ?? [])]);
    const { channels, dataSources } = this.config;
    const keyring = this.secrets();
    if (!keyring) this.sayNoKey();
    const plan = planAssignments({ channels, dataSources, permits, nodes, assignments, protectedNodes, ranBefore: this.ranOn, selectAssignments, canSplit: keyring !== undefined }, this.policy);
    for (const { pipeline, channel } of plan.unplaced) this.ctx.log.debug({ pipeline, channel }, 'no eligible node for pipeline');
    if (this.loop.stopped) return false;
    const newPipeSecret = (pipeline: string) => {
      if (!keyring) throw new Error('a split was planned without a key'); // canSplit was false
      return sealNewPipeSecret(keyring, pipeline);
    };
    const placed = await writePlan(zk, plan, assignments, new Date().toISOString(), { selectAssignments, newPipeSecret });
    if (placed === undefined) {
      this.ctx.log.debug('assignments changed during the pass; reading again');
      return true;
    }
    await this.report.placed(placed, this.policy.name);
    for (const r of plan.remove) this.ctx.log.info({ pipeline: r.pipeline, reason: r.reason }, 'assignment removed');
    for (const r of plan.select?.remove ?? []) this.ctx.log.info({ pipeline: r.pipeline, reason: r.reason }, 'select assignment removed');

    const pending = [...assignments.values(), ...selectAssignments.values()].map(({ value }) => value).filter((a) => a.state === 'pending' && nodes.has(a.node) && started(a.channel));
    await this.report.ackOverdue(this.acks.overdue(pending, now));
    return false;
  }

  /** Where each configured pipeline ran, kept after its assignment goes (for 'sticky'). */
  private remember(assignments: ReadonlyMap<string, Stored<AssignmentRecord>>): void {
    for (const { value } of assignments.values()) this.ranOn.set(value.pipeline, [value.node, ...(value.previousNode === undefined ? [] : [value.previousNode])]);
    const configured = new Set(Object.values(this.config?.channels ?? {}).flatMap((c) => c.pipelines.map((p) => p.name)));
    for (const pipeline of this.ranOn.keys()) if (!configured.has(pipeline)) this.ranOn.delete(pipeline);
  }

  /** Without a key a pipe secret cannot be sealed, and one is never written in clear: pipelines run whole. */
  private sayNoKey(): void {
    if (this.saidNoKey || !this.config) return;
    const { channels, dataSources } = this.config;
    const wouldSplit = Object.values(channels).flatMap((c) => c.pipelines).filter((p) => splitDcs(p, dataSources) !== undefined).map((p) => p.name);
    if (wouldSplit.length === 0) return;
    this.saidNoKey = true;
    this.ctx.log.warn({ pipelines: wouldSplit }, 'no secret key file: pipelines across datacenters run whole, not split');
  }

  /** Children and each child's data, watched. */
  private async watchedRecords<T>(kind: string, read: (w: Parameters<typeof readNodes>[1]) => Promise<Map<string, Stored<T>>>): Promise<Map<string, Stored<T>>> {
    const asked = new Set<string>();
    const records = await read({
      children: this.watches.watcher(`${kind}s`),
      data: (name) => {
        asked.add(name);
        return this.watches.watcher(`${kind}:${name}`);
      },
    });
    for (const name of asked) if (!records.has(name)) this.watches.disarm(`${kind}:${name}`);
    return records;
  }
}

/** Assignments (either side) by the node they name. */
function workByNode(assignments: readonly Stored<Pick<AssignmentRecord, 'node' | 'pipeline' | 'channel'>>[]): Map<string, Pick<AssignmentRecord, 'node' | 'pipeline' | 'channel'>[]> {
  const work = new Map<string, Pick<AssignmentRecord, 'node' | 'pipeline' | 'channel'>[]>();
  for (const { value } of assignments) work.set(value.node, [...(work.get(value.node) ?? []), value]);
  return work;
}

export const scheduler = (options?: SchedulerOptions) => (ctx: LeaderDutyContext): LeaderDuty => new Scheduler(ctx, options);
export type { ChannelRestart };
