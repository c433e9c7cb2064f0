import { settleWithin } from '../../shared/timeouts.ts';
import { EventLog } from '../../shared/cluster/event-log.ts';
import type { ConfigSnapshot } from '../../shared/cluster/model.ts';
import { describeError } from '../../shared/errors/index.ts';
import { AlarmEvaluator, type AlarmEvaluatorOptions, type AlarmRule } from '../alarms/index.ts';
import type { LeaderDuty, LeaderDutyContext, LeaderDutyFactory } from '../leader-duties.ts';
import { readPermits, readStats } from '../runtime-state.ts';

export interface AlarmMonitorOptions {
  /** Where alarm changes are POSTed. @default none (log and event log only) */
  webhookUrl?: string;
  /** @default DEFAULT_ALARM_RULES */
  rules?: readonly AlarmRule[];
  /** How often every pipeline's stats are observed. @default 2000 */
  intervalMs?: number;
  /** Webhook timing (tests shorten it). */
  webhook?: AlarmEvaluatorOptions['webhook'];
}

/** How long stopping waits for webhook deliveries already queued. */
const DRAIN_WAIT_MS = 1_000;

/**
 * The leader's alarm duty: every intervalMs it reads /stats and /permits and feeds every
 * pipeline to the alarm rules. Time is this manager's performance.now(), never a node's clock,
 * and observing on a timer (not only when reports arrive) lets silence count as time passing.
 * A new leader adopts the alarms in ZooKeeper (AlarmEvaluator.start).
 */
class AlarmMonitor implements LeaderDuty {
  readonly name = 'alarm-monitor';
  private readonly evaluator: AlarmEvaluator;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private starting: Promise<void> = Promise.resolve();
  private tick: Promise<void> | undefined;
  private config: ConfigSnapshot | undefined;
  /** Pipelines observed so far: one that disappears from the configuration is forgotten. */
  private readonly observed = new Set<string>();
  /** Alarm ids in ZooKeeper after the last tick, to notice alarms cleared through any manager's API. */
  private stored: Set<string> | undefined;

  constructor(private readonly ctx: LeaderDutyContext, options: AlarmMonitorOptions) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.evaluator = new AlarmEvaluator({ zk: ctx.zk, log: ctx.log, eventLog: new EventLog(ctx.zk, { log: ctx.log }), rules: options.rules, webhookUrl: options.webhookUrl, webhook: options.webhook, by: `manager:${ctx.managerId}` });
  }

  start(): void {
    this.starting = this.evaluator.start().catch((error: unknown) => this.ctx.log.warn({ detail: describeError(error) }, 'could not adopt the active alarms; starting without them'));
    this.timer = setInterval(() => this.runTick(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.tick;
    await settleWithin(this.evaluator.idle(), DRAIN_WAIT_MS, undefined);
    this.evaluator.close();
  }

  private runTick(): void {
    if (this.tick || this.timer === undefined) return; // one tick at a time; a slow one skips the next
    this.tick = this.observeAll()
      .catch((error: unknown) => this.ctx.log.warn({ detail: describeError(error) }, 'alarm observation failed; trying again at the next tick'))
      .finally(() => (this.tick = undefined));
  }

  private async observeAll(): Promise<void> {
    await this.starting;
    const { zk, store } = this.ctx;
    const epoch = await store.epoch();
    if (this.config?.epoch !== epoch) this.config = await store.snapshot();
    const channelOf = new Map(Object.values(this.config.channels).flatMap((channel) => channel.pipelines.map((p) => [p.name, channel.name] as const)));
    await this.forgetClearedElsewhere();
    const [permits, stats] = await Promise.all([readPermits(zk), readStats(zk, [...channelOf.keys()])]);
    const observedAt = performance.now();
    for (const [pipeline, channel] of channelOf) {
      const record = stats.get(pipeline);
      if (!record || this.timer === undefined) continue;
      await this.evaluator.observe({ pipeline, channel, channelStatus: permits.get(channel)?.value.status ?? 'STOP', stats: record, observedAt });
      this.observed.add(pipeline);
    }
    for (const pipeline of [...this.observed]) {
      if (channelOf.has(pipeline)) continue;
      await this.evaluator.forget(pipeline);
      this.observed.delete(pipeline);
    }
    this.stored = new Set((await this.evaluator.list()).map((alarm) => alarm.id));
  }

  /**
   * An alarm cleared through the API of another manager is gone from ZooKeeper, but this
   * evaluator still thinks it wrote it and would never raise it again. clear() on a missing
   * alarm changes nothing in ZooKeeper and records nothing; it only makes the evaluator forget.
   */
  private async forgetClearedElsewhere(): Promise<void> {
    if (!this.stored) return;
    const now = new Set((await this.evaluator.list()).map((alarm) => alarm.id));
    for (const id of this.stored) if (!now.has(id)) await this.evaluator.clear(id);
  }
}

/** The alarm monitor as a leader duty (add it to the manager's duties). */
export const alarmMonitor = (options: AlarmMonitorOptions = {}): LeaderDutyFactory => (ctx: LeaderDutyContext): LeaderDuty => new AlarmMonitor(ctx, options);
