import { EventLog } from '../../shared/cluster/event-log.ts';
import {
  channelsWithJobs, differencesOf, jobState, listJobIds, readJob, writePart,
  type StoredJob, type VerifyJobRecord,
} from '../../shared/cluster/verify-jobs.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { readRecord } from '../../shared/cluster/zk-records.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import { AlarmStore, AlarmWebhook } from '../alarms/index.ts';
import type { LeaderDuty, LeaderDutyContext, LeaderDutyFactory } from '../leader-duties.ts';

export interface VerifyMonitorOptions {
  /** How often open jobs are looked at. @default 1000 */
  intervalMs?: number;
  /** Where the alarms it raises are POSTed, as the alarm monitor's. @default none */
  webhookUrl?: string;
}

/** The rule id of the alarm a verify job raises for a pipeline whose tables differ. */
export const VERIFY_ALARM_RULE = 'verify';

/**
 * The leader's verify duty: every intervalMs it looks at the jobs not yet ended. A part still
 * queued or running on a node that is no longer registered (it stopped, or its session
 * expired) is failed with FERRY_ERR_VERIFY_NODE_LOST, so no job waits for ever. A job whose
 * parts have all ended is ended: its state and finishedAt written (compare-and-set, so a
 * second leader around a handover ends it once), a VERIFY_DONE or VERIFY_FAILED event, and a
 * `verify` alarm per pipeline whose tables differ.
 */
class VerifyMonitor implements LeaderDuty {
  readonly name = 'verify-monitor';
  private readonly intervalMs: number;
  private readonly events: EventLog;
  private readonly alarms: AlarmStore;
  private readonly webhook: AlarmWebhook | undefined;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;

  constructor(private readonly ctx: LeaderDutyContext, options: VerifyMonitorOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.events = new EventLog(ctx.zk, { log: ctx.log });
    this.alarms = new AlarmStore(ctx.zk);
    this.webhook = options.webhookUrl === undefined ? undefined : new AlarmWebhook({ url: options.webhookUrl, log: ctx.log });
  }

  start(): void {
    this.timer = setInterval(() => this.runTick(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.tick;
    this.webhook?.close();
  }

  private runTick(): void {
    if (this.tick || this.timer === undefined) return;
    this.tick = this.lookAtJobs()
      .catch((error: unknown) => this.ctx.log.warn({ detail: describeError(error) }, 'verify job check failed; trying again at the next tick'))
      .finally(() => (this.tick = undefined));
  }

  private async lookAtJobs(): Promise<void> {
    const { zk } = this.ctx;
    const live = new Set(await zk.getChildren(zkPaths.nodes).catch(() => [] as string[]));
    for (const channel of await channelsWithJobs(zk)) {
      for (const id of await listJobIds(zk, channel)) {
        if (this.timer === undefined) return;
        // Ended jobs are skipped on their record alone; only open ones have their parts read.
        const record = await readRecord<VerifyJobRecord>(zk, zkPaths.verifyJob(channel, id));
        if (!record || record.value.state !== undefined) continue;
        const job = await readJob(zk, channel, id);
        if (!job) continue;
        await this.failLostParts(job, live);
        const now = await readJob(zk, channel, id);
        if (now) await this.endIfOver(now);
      }
    }
  }

  private async failLostParts(job: StoredJob, live: ReadonlySet<string>): Promise<void> {
    const { channel } = job.record.value;
    for (const part of job.parts) {
      const { state, node, pipeline } = part.value;
      if ((state !== 'queued' && state !== 'running') || node === undefined || live.has(node)) continue;
      const error = new FerryError('FERRY_ERR_VERIFY_NODE_LOST', { node, pipeline });
      const failed = { ...part.value, state: 'failed' as const, finishedAt: new Date().toISOString(), error: { code: error.code, message: error.message } };
      if (await writePart(this.ctx.zk, channel, job.id, failed, part.version)) {
        this.ctx.log.warn({ channel, job: job.id, pipeline, node, code: error.code }, 'verify part failed: its node is gone');
      }
    }
  }

  private async endIfOver(job: StoredJob): Promise<void> {
    const { zk, log, managerId } = this.ctx;
    const record = job.record.value;
    const parts = job.parts.map((part) => part.value);
    const state = jobState(record, parts);
    if (state !== 'done' && state !== 'failed') return;
    const ended: VerifyJobRecord = { ...record, state, finishedAt: new Date().toISOString() };
    try {
      await zk.setData(zkPaths.verifyJob(record.channel, job.id), JSON.stringify(ended), job.record.version);
    } catch (error) {
      if (isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return; // someone else ended or pruned it
      throw error;
    }
    const differences = parts.reduce((sum, part) => sum + differencesOf(part), 0);
    const tables = parts.flatMap((part) => part.tables.map((table) => ({ pipeline: part.pipeline, table: table.table, rows: table.rows, missing: table.missing, extra: table.extra, different: table.different })));
    const failures = parts.filter((part) => part.error).map((part) => ({ pipeline: part.pipeline, code: part.error!.code, message: part.error!.message }));
    const by = `manager:${managerId}`;
    log.info({ channel: record.channel, job: job.id, state, differences }, 'verify job ended');
    await this.events.append({
      type: state === 'done' ? 'VERIFY_DONE' : 'VERIFY_FAILED',
      channel: record.channel,
      by,
      reason: state === 'failed' ? `verify ${job.id} failed: ${failures.map((f) => `${f.pipeline} ${f.code}`).join(', ')}` : differences === 0 ? `verify ${job.id}: identical` : `verify ${job.id}: ${differences} rows differ`,
      details: { job: job.id, requestedBy: record.requestedBy, differences, tables, ...(failures.length > 0 ? { failures } : {}) },
    });
    for (const part of parts) {
      const found = differencesOf(part);
      if (found === 0) continue;
      const id = `${VERIFY_ALARM_RULE}:${part.pipeline}`;
      const message = `verify ${job.id} found ${found} rows that differ between source and target (${part.tables.filter((t) => t.missing + t.extra + t.different > 0).map((t) => `${t.table}: ${t.missing} missing, ${t.extra} extra, ${t.different} different`).join('; ')})`;
      const { record: alarm } = await this.alarms.raise({ id, rule: VERIFY_ALARM_RULE, pipeline: part.pipeline, channel: record.channel, severity: 'critical', message, value: found });
      log.warn({ alarm: id, channel: record.channel, pipeline: part.pipeline, value: found }, 'alarm raised');
      this.webhook?.send(alarm, 'raised');
      await this.events.append({ type: 'ALARM_RAISED', channel: record.channel, pipeline: part.pipeline, by, reason: message, details: { alarm: alarm.id, rule: alarm.rule, severity: alarm.severity, value: found, job: job.id } });
    }
  }
}

/** The verify monitor as a leader duty. */
export const verifyMonitor = (options: VerifyMonitorOptions = {}): LeaderDutyFactory => (ctx: LeaderDutyContext): LeaderDuty => new VerifyMonitor(ctx, options);
