import type { PipelineStatsRecord } from '../../shared/cluster/model.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import { HttpClient } from '../../shared/http/http-client.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ClientTls } from '../../shared/tls/tls-options.ts';

/**
 * POSTs a JSON body and resolves with the HTTP status; rejects on network errors and timeouts,
 * on a manager whose TLS certificate fails (FERRY_ERR_API_TLS_REFUSED), and on a refusal of
 * the request itself (4xx with a Ferry error body), naming its code and message so the node's
 * log says why (a token of another node, one that names no node).
 */
export type HttpPost = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<number>;

export function httpPost(client: HttpClient): HttpPost {
  return async (url, body, headers, timeoutMs) => {
    const response = await client.request({ method: 'POST', url, body, headers, timeoutMs });
    if (response.status >= 400 && response.status < 500) {
      const answer = parseJson(response.text) as { code?: unknown; message?: unknown } | undefined;
      if (typeof answer?.code === 'string') throw new Error(`HTTP ${response.status} ${answer.code}: ${String(answer.message)}`);
    }
    return response.status;
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

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
  /** CA (and later a client certificate) for managers serving https://. @default the system's CAs */
  tls?: ClientTls;
  /** @default httpPost over an HttpClient with `tls` */
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
  /** Managers whose TLS failed, said once each until they take a report. */
  private readonly tlsRefusedLogged = new Set<string>();
  private readonly post: HttpPost;
  private readonly client: HttpClient | undefined;

  constructor(private readonly options: StatsReporterOptions) {
    this.client = options.post === undefined ? new HttpClient(options.tls) : undefined;
    this.post = options.post ?? httpPost(this.client!);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs ?? 2_000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.client?.close();
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
        const status = await this.post(`${base}${STATS_PATH}`, body, headers, options.timeoutMs ?? 2_000);
        if (status >= 200 && status < 300) return this.delivered(base);
        failures.push(`${base}: HTTP ${status}`);
      } catch (error) {
        failures.push(`${base}: ${isFerryError(error) ? `${error.code}: ` : ''}${describeError(error)}`);
        this.tlsRefused(base, error);
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

  /**
   * A certificate that fails is a configuration problem, not an outage: said with its code for
   * each manager, even when another manager takes the stats, so that it gets fixed.
   */
  private tlsRefused(base: string, error: unknown): void {
    if (!isFerryError(error, 'FERRY_ERR_API_TLS_REFUSED') || this.tlsRefusedLogged.has(base)) return;
    this.tlsRefusedLogged.add(base);
    this.options.log.warn({ code: error.code, manager: base, detail: error.message }, 'TLS to a manager failed: nothing sent to it; trying the others');
  }

  private delivered(base: string): string {
    this.tlsRefusedLogged.delete(base);
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
