import type { PipelineStatsRecord } from '../../shared/cluster/model.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';

/**
 * POSTs a JSON body and resolves with the HTTP status; rejects on network errors and timeouts,
 * and on a refusal of the request itself (4xx with a Ferry error body), naming its code and
 * message so the node's log says why (a token of another node, one that names no node).
 */
export type HttpPost = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<number>;

export const fetchPost: HttpPost = async (url, body, headers, timeoutMs) => {
  const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
  if (response.status >= 400 && response.status < 500) {
    const answer = (await response.json().catch(() => undefined)) as { code?: unknown; message?: unknown } | undefined;
    if (typeof answer?.code === 'string') throw new Error(`HTTP ${response.status} ${answer.code}: ${String(answer.message)}`);
    return response.status;
  }
  await response.body?.cancel();
  return response.status;
};

export const STATS_PATH = '/api/v1/internal/stats';

export interface StatsReporterOptions {
  nodeId: string;
  /** Bearer token of role node or admin. */
  token?: string;
  /** Manager base URLs given on the command line, tried after the registered ones. */
  staticManagers: readonly string[];
  /** Base URLs of the managers registered in ZooKeeper now (may reject: the last list is kept). */
  listManagers: () => Promise<string[]>;
  collect: () => PipelineStatsRecord[];
  /** @default 2000 */
  intervalMs?: number;
  /** Per manager. @default 2000 */
  timeoutMs?: number;
  post?: HttpPost;
  log: Logger;
}

/** Candidates in the order to try: the manager that answered last first, then the rest as listed. */
export function managerOrder(registered: readonly string[], staticManagers: readonly string[], lastGood?: string): string[] {
  const all = [...new Set([...registered, ...staticManagers].map((url) => url.replace(/\/+$/, '')))];
  if (lastGood === undefined || !all.includes(lastGood)) return all;
  return [lastGood, ...all.filter((url) => url !== lastGood)];
}

/**
 * Sends this node's pipeline stats to one live manager every few seconds. Managers are
 * optional for a running node: when none answers it says so once and keeps replicating.
 */
export class StatsReporter {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private registered: string[] = [];
  private lastGood: string | undefined;
  private unreachableLogged = false;

  constructor(private readonly options: StatsReporterOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs ?? 2_000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One report; resolves with the manager that took it, or undefined. */
  async reportOnce(): Promise<string | undefined> {
    const { options } = this;
    try {
      this.registered = await options.listManagers();
    } catch (error) {
      options.log.debug({ err: error }, 'manager list unavailable, using the last one');
    }
    const body = JSON.stringify({ node: options.nodeId, stats: options.collect() });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const failures: string[] = [];
    for (const base of managerOrder(this.registered, options.staticManagers, this.lastGood)) {
      try {
        const status = await (options.post ?? fetchPost)(`${base}${STATS_PATH}`, body, headers, options.timeoutMs ?? 2_000);
        if (status >= 200 && status < 300) return this.delivered(base);
        failures.push(`${base}: HTTP ${status}`);
      } catch (error) {
        failures.push(`${base}: ${describeError(error)}`);
      }
    }
    this.lastGood = undefined;
    if (!this.unreachableLogged) {
      this.unreachableLogged = true;
      const error = new FerryError('FERRY_ERR_MANAGERS_UNREACHABLE', { detail: failures.length > 0 ? failures.join('; ') : 'no manager registered' });
      options.log.warn({ code: error.code, detail: error.message }, 'stats not delivered: no manager answered; replication goes on');
    }
    return undefined;
  }

  private delivered(base: string): string {
    if (this.unreachableLogged || this.lastGood !== base) this.options.log.info({ manager: base }, 'stats delivered to manager');
    this.unreachableLogged = false;
    this.lastGood = base;
    return base;
  }

  private async tick(): Promise<void> {
    // A slow round (timeouts) must not pile up behind itself.
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      await this.reportOnce();
    } catch (error) {
      this.options.log.warn({ err: error }, 'stats report failed');
    } finally {
      this.inFlight = false;
    }
  }
}
