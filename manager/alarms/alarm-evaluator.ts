import type { EventLog } from '../../shared/cluster/event-log.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { AlarmRules, MANUAL_RULE, type Alarm, type AlarmRule, type AlarmSeverity, type Observation } from './alarm-rules.ts';
import { AlarmStore, type AlarmRecord } from './alarm-store.ts';
import { AlarmWebhook, type AlarmState, type AlarmWebhookOptions } from './webhook.ts';

/**
 * Runs the alarm rules on what nodes report and publishes every change: the alarm znode (the
 * truth), an ALARM_RAISED / ALARM_CLEARED event, a log line and the webhook. Runs on the
 * leader manager. Level-triggered: each observation compares what fires with what this
 * evaluator wrote, so a write that failed (ZooKeeper away) is simply done at the next one.
 */

export interface AlarmEvaluatorOptions {
  zk: ZkClient;
  log: Logger;
  eventLog: EventLog;
  /** @default DEFAULT_ALARM_RULES */
  rules?: readonly AlarmRule[];
  /** Where to POST alarm changes. @default none */
  webhookUrl?: string;
  /** Webhook timing (tests shorten it). */
  webhook?: Omit<AlarmWebhookOptions, 'url' | 'log'>;
  /** Who the events name for rule alarms. @default 'alarms' */
  by?: string;
}

/** The arbiter's WARNING: an alarm raised by a person or a node, cleared only by clear(id). */
export interface ManualWarning {
  channel: string;
  pipeline: string;
  /** Who raises it: 'node:n3', 'api:<token name>', ... */
  by: string;
  message: string;
  /** @default 'warning' */
  severity?: AlarmSeverity;
}

export class AlarmEvaluator {
  private readonly rules: AlarmRules;
  private readonly store: AlarmStore;
  private readonly webhook: AlarmWebhook | undefined;
  private readonly log: Logger;
  /** Rule alarms the store holds, as far as this evaluator knows (written or adopted). */
  private readonly written = new Map<string, Alarm>();
  /** Alarms adopted from an earlier leader, with the first observedAt of their pipeline here. */
  private readonly adopted = new Map<string, number | undefined>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AlarmEvaluatorOptions) {
    this.rules = new AlarmRules(options.rules);
    this.store = new AlarmStore(options.zk);
    this.log = options.log.child({ component: 'alarms' });
    this.webhook = options.webhookUrl === undefined ? undefined : new AlarmWebhook({ ...options.webhook, url: options.webhookUrl, log: this.log });
  }

  /**
   * Adopts the rule alarms already in ZooKeeper (a new leader). An adopted alarm is cleared
   * only after its rule watched the pipeline for its whole window, so a failover does not
   * clear and re-raise alarms whose trouble goes on.
   */
  async start(): Promise<void> {
    for (const record of await this.store.list()) {
      if (!this.rules.has(record.rule)) continue;
      this.written.set(record.id, record);
      this.adopted.set(record.id, undefined);
    }
  }

  /** Runs the rules on one observation and publishes what changed. Observations apply in call order. */
  observe(observation: Observation): Promise<void> {
    return this.serially(async () => {
      this.rules.observe(observation);
      const firing = this.rules.firing(observation.pipeline);
      for (const alarm of firing) {
        this.adopted.delete(alarm.id);
        if (this.written.has(alarm.id)) continue;
        const record = await this.write(alarm, 'raised');
        if (record) await this.announce(record, 'raised', this.by, alarm.message);
      }
      const firingIds = new Set(firing.map((alarm) => alarm.id));
      for (const alarm of [...this.written.values()]) {
        if (alarm.pipeline !== observation.pipeline || firingIds.has(alarm.id) || !this.mayClear(alarm, observation.observedAt)) continue;
        if (await this.write(alarm, 'cleared')) await this.announce(alarm, 'cleared', this.by, 'the condition ended');
      }
    });
  }

  /** Raises (or updates) a manual warning; store errors reach the caller. */
  raiseManual(warning: ManualWarning): Promise<AlarmRecord> {
    return this.serially(async () => {
      const alarm: Alarm = { id: `${MANUAL_RULE}:${warning.pipeline}`, rule: MANUAL_RULE, pipeline: warning.pipeline, channel: warning.channel, severity: warning.severity ?? 'warning', message: warning.message, value: 0 };
      const { record } = await this.store.raise(alarm);
      await this.announce(record, 'raised', warning.by, warning.message);
      return record;
    });
  }

  /** Clears an active alarm by id; false when it was not active. A rule alarm still firing comes back at the next observation. */
  clear(id: string, by = 'manual', reason = 'cleared by hand'): Promise<boolean> {
    return this.serially(async () => {
      const record = await this.store.get(id);
      const cleared = await this.store.clear(id);
      this.written.delete(id);
      this.adopted.delete(id);
      if (cleared && record) await this.announce(record, 'cleared', by, reason);
      return cleared;
    });
  }

  /** Clears the rule alarms of a pipeline that no longer exists and forgets it. */
  forget(pipeline: string): Promise<void> {
    return this.serially(async () => {
      this.rules.forget(pipeline);
      for (const alarm of [...this.written.values()]) {
        if (alarm.pipeline === pipeline && (await this.write(alarm, 'cleared'))) await this.announce(alarm, 'cleared', this.by, 'the pipeline is gone');
      }
    });
  }

  list(): Promise<AlarmRecord[]> {
    return this.store.list();
  }

  /** Resolves once queued webhook deliveries are done (tests, shutdown). */
  async idle(): Promise<void> {
    await this.chain;
    await this.webhook?.idle();
  }

  close(): void {
    this.webhook?.close();
  }

  private get by(): string {
    return this.options.by ?? 'alarms';
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private mayClear(alarm: Alarm, now: number): boolean {
    if (!this.adopted.has(alarm.id)) return true;
    const first = this.adopted.get(alarm.id) ?? now;
    this.adopted.set(alarm.id, first);
    return now - first >= this.rules.horizonMs(alarm.rule);
  }

  /** The store write of a rule alarm: what was written, or undefined (logged) when ZooKeeper refused, to retry next time. */
  private async write(alarm: Alarm, state: AlarmState): Promise<Alarm | undefined> {
    try {
      if (state === 'cleared') {
        await this.store.clear(alarm.id);
        this.written.delete(alarm.id);
        this.adopted.delete(alarm.id);
        return alarm;
      }
      const { record } = await this.store.raise(alarm);
      this.written.set(alarm.id, record);
      return record;
    } catch (error) {
      this.log.warn({ err: error, alarm: alarm.id, pipeline: alarm.pipeline, state }, 'alarm store write failed; trying again at the next observation');
      return undefined;
    }
  }

  /** Event, log line and webhook for a change already in the store. Never throws. */
  private async announce(alarm: Alarm, state: AlarmState, by: string, reason: string): Promise<void> {
    const fields = { alarm: alarm.id, rule: alarm.rule, pipeline: alarm.pipeline, channel: alarm.channel, severity: alarm.severity, value: alarm.value };
    if (state === 'raised') this.log.warn({ ...fields, message: alarm.message }, 'alarm raised');
    else this.log.info(fields, 'alarm cleared');
    const type = state === 'raised' ? 'ALARM_RAISED' : 'ALARM_CLEARED';
    this.webhook?.send(alarm, state);
    try {
      await this.options.eventLog.append({ type, channel: alarm.channel, pipeline: alarm.pipeline, by, reason, details: fields });
    } catch (error) {
      this.log.warn({ err: error, alarm: alarm.id, type }, 'could not record the alarm event');
    }
  }
}
