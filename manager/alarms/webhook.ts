import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { Alarm } from './alarm-rules.ts';

/**
 * Sends alarm changes to an HTTP receiver (chat bridge, pager): POST JSON {alarm, state}.
 * Fire and forget: send() returns at once, one delivery runs at a time in order, failures are
 * retried with back-off and then logged (FERRY_ERR_WEBHOOK_FAILED), never thrown. The alarm
 * itself is in ZooKeeper and the event log either way; the webhook only tells people.
 */

export type AlarmState = 'raised' | 'cleared';

export interface WebhookPayload {
  alarm: Alarm;
  state: AlarmState;
}

export interface AlarmWebhookOptions {
  url: string;
  log: Logger;
  /** Per attempt. @default 3000 */
  timeoutMs?: number;
  /** Further attempts after the first fails. @default 3 */
  retries?: number;
  /** Wait before the first retry, doubling after each. @default 500 */
  backoffMs?: number;
  /** Deliveries waiting; beyond it the oldest is dropped with a warning. @default 100 */
  maxQueue?: number;
}

export class AlarmWebhook {
  private readonly queue: WebhookPayload[] = [];
  private draining: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private readonly settings: Required<Omit<AlarmWebhookOptions, 'log'>>;
  /** Origin only: webhook URLs often carry a secret in their path or query. */
  private readonly shownUrl: string;

  constructor(private readonly options: AlarmWebhookOptions) {
    this.settings = { timeoutMs: 3_000, retries: 3, backoffMs: 500, maxQueue: 100, ...options };
    this.shownUrl = new URL(options.url).origin;
  }

  /** Queues a delivery and returns at once. */
  send(alarm: Alarm, state: AlarmState): void {
    if (this.stop.signal.aborted) return;
    if (this.queue.length >= this.settings.maxQueue) {
      const dropped = this.queue.shift()!;
      this.options.log.warn({ code: 'FERRY_ERR_WEBHOOK_FAILED', url: this.shownUrl, alarm: dropped.alarm.id, state: dropped.state, maxQueue: this.settings.maxQueue }, 'alarm webhook queue full; dropped the oldest delivery');
    }
    this.queue.push({ alarm, state });
    this.draining ??= this.drain();
  }

  /** Deliveries not yet finished (queued and in flight). */
  get pending(): number {
    return this.queue.length + (this.draining ? 1 : 0);
  }

  /** Resolves once everything queued so far was delivered or given up (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Drops what is queued and aborts the delivery in flight (shutdown). */
  close(): void {
    this.queue.length = 0;
    this.stop.abort();
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // go on after send() has stored this promise, so finally clears it
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await this.deliver(next);
    } finally {
      this.draining = undefined; // same synchronous step as the empty check: no delivery is stranded
    }
  }

  private async deliver(payload: WebhookPayload): Promise<void> {
    const { retries, backoffMs, timeoutMs } = this.settings;
    const body = JSON.stringify(payload);
    let detail = '';
    let attempts = 0;
    while (attempts <= retries && !this.stop.signal.aborted) {
      attempts += 1;
      try {
        const response = await fetch(this.options.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stop.signal]) });
        await response.body?.cancel(); // the answer's body is not needed; free the connection
        if (response.ok) return;
        detail = `HTTP ${response.status}`;
        // Other 4xx answers mean the request itself is wrong: retrying cannot help.
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) break;
      } catch (error) {
        detail = describeError(error);
      }
      if (attempts <= retries) await sleep(backoffMs * 2 ** (attempts - 1), undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
    if (this.stop.signal.aborted) return; // closed: shutting down, nobody to tell
    const failure = new FerryError('FERRY_ERR_WEBHOOK_FAILED', { url: this.shownUrl, attempts, detail });
    this.options.log.warn({ code: failure.code, url: this.shownUrl, alarm: payload.alarm.id, state: payload.state, attempts, detail, workaround: failure.workaround }, 'alarm webhook failed');
  }
}
