import type { ChannelSpecT, ChannelStatusT } from '../../shared/cluster/model.ts';
import { listJobIds } from '../../shared/cluster/verify-jobs.ts';
import { readRecord } from '../../shared/cluster/zk-records.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import type { VerifyJobRecord } from '../../shared/cluster/verify-jobs.ts';
import { describeError } from '../../shared/errors/index.ts';
import type { LeaderDuty, LeaderDutyContext, LeaderDutyFactory } from '../leader-duties.ts';
import { readPermits, readStats } from '../runtime-state.ts';
import { startVerifyJob } from './start-verify-job.ts';

/** Who continuous validation's jobs are requested by (their `requestedBy`, and events' `by`). */
export const VALIDATION_REQUESTER = 'validation';

/** What the scheduler remembers of a channel: the newest job it saw, and since when (its own monotonic clock). */
export interface ValidationMemory {
  lastJob: string | undefined;
  since: number;
}

export interface ValidationObservation {
  /** Seconds between validations: the smallest `validation.intervalSeconds` of the channel's pipelines; 0 off. */
  intervalSeconds: number;
  status: ChannelStatusT;
  /** A pipeline of the channel is copying its tables (initialCopy, resync): its target is not whole yet. */
  copying: boolean;
  /** The channel's newest verify job and whether it is still open. */
  newestJob: { id: string; open: boolean } | undefined;
}

/**
 * Whether a channel is due for a validation, without I/O or wall clocks (`now` is the caller's
 * monotonic clock): one interval after the channel was first seen running, after its newest
 * job (manual or scheduled) was first seen, or after the last one ended (or a copy), never
 * while one is open, a pipeline copies its tables, or the channel is not START. A new leader
 * starts counting anew.
 */
export function validationDue(memory: ValidationMemory | undefined, observed: ValidationObservation, now: number): { due: boolean; memory: ValidationMemory | undefined } {
  if (observed.intervalSeconds <= 0) return { due: false, memory: undefined };
  const job = observed.newestJob?.id;
  if (observed.status !== 'START' || observed.copying || observed.newestJob?.open === true || memory === undefined || memory.lastJob !== job) {
    return { due: false, memory: { lastJob: job, since: now } };
  }
  return { due: now - memory.since >= observed.intervalSeconds * 1000, memory };
}

/** The smallest validation interval of a channel's pipelines that have it on; 0 when none has. */
export function channelInterval(channel: ChannelSpecT): number {
  const intervals = channel.pipelines.map((pipeline) => pipeline.validation?.intervalSeconds ?? 0).filter((seconds) => seconds > 0);
  return intervals.length === 0 ? 0 : Math.min(...intervals);
}

export interface ValidationSchedulerOptions {
  /** How often channels are looked at. @default 5000 */
  intervalMs?: number;
}

/**
 * Continuous validation, a leader duty: a channel whose pipelines set validation.intervalSeconds
 * gets a verify job of all its pipelines every that many seconds while it is START (the job,
 * its event and its `verify:<pipeline>` alarm on differences are the manual job's:
 * verify-monitor.ts). The verify itself is chunked checksums on each server, re-read behind the
 * running pipeline (node/verify/), so each validation is a background read, not a lock.
 */
class ValidationScheduler implements LeaderDuty {
  readonly name = 'validation-scheduler';
  private readonly memory = new Map<string, ValidationMemory>();
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;

  constructor(private readonly ctx: LeaderDutyContext, options: ValidationSchedulerOptions) {
    this.intervalMs = options.intervalMs ?? 5_000;
  }

  start(): void {
    this.timer = setInterval(() => this.runTick(), this.intervalMs);
    this.runTick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.tick;
  }

  private runTick(): void {
    if (this.tick || this.timer === undefined) return;
    this.tick = this.lookAtChannels()
      .catch((error: unknown) => this.ctx.log.warn({ detail: describeError(error) }, 'continuous validation check failed; trying again at the next tick'))
      .finally(() => (this.tick = undefined));
  }

  private async lookAtChannels(): Promise<void> {
    const { zk, store, log } = this.ctx;
    const snapshot = await store.read();
    const permits = await readPermits(zk);
    const stats = await readStats(zk, Object.values(snapshot.channels).flatMap((stored) => stored.value.pipelines.map((pipeline) => pipeline.name)));
    for (const channel of Object.values(snapshot.channels).map((stored) => stored.value)) {
      if (this.timer === undefined) return;
      const intervalSeconds = channelInterval(channel);
      const newest = intervalSeconds > 0 ? (await listJobIds(zk, channel.name))[0] : undefined;
      const record = newest === undefined ? undefined : await readRecord<VerifyJobRecord>(zk, zkPaths.verifyJob(channel.name, newest));
      const observed: ValidationObservation = {
        intervalSeconds,
        status: permits.get(channel.name)?.value.status ?? 'STOP',
        copying: channel.pipelines.some((pipeline) => stats.get(pipeline.name)?.copy !== undefined),
        newestJob: newest === undefined ? undefined : { id: newest, open: record !== undefined && record.value.state === undefined },
      };
      const { due, memory } = validationDue(this.memory.get(channel.name), observed, performance.now());
      if (memory === undefined) this.memory.delete(channel.name);
      else this.memory.set(channel.name, memory);
      if (!due) continue;
      const id = await startVerifyJob(zk, {
        channel: channel.name,
        pipelines: channel.pipelines.map((pipeline) => pipeline.name),
        requestedBy: VALIDATION_REQUESTER,
        reason: `continuous validation, every ${intervalSeconds} s`,
      });
      this.memory.set(channel.name, { lastJob: id, since: performance.now() });
      log.info({ channel: channel.name, job: id, intervalSeconds }, 'continuous validation: verify job started');
    }
  }
}

/** Continuous validation as a leader duty. */
export const validationScheduler = (options: ValidationSchedulerOptions = {}): LeaderDutyFactory => (ctx: LeaderDutyContext): LeaderDuty => new ValidationScheduler(ctx, options);
