import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { draftOf, isAudited, type AuditDraft } from './audit-entry.ts';
import type { AuditFile } from './audit-file.ts';
import { AUDIT_RETENTION, appendAuditEntry, pruneAuditLog, type AuditRetention } from './audit-log.ts';

const REFUSAL_SAMPLE_MS = 60_000;

export interface AuditRecorderOptions {
  /** @default AUDIT_RETENTION */
  retention?: Partial<AuditRetention>;
  /** Also append every entry to this file. @default none */
  file?: AuditFile;
  /** Prune at most this often (and whenever a tenth of `keep` was written since). @default 60000 */
  pruneIntervalMs?: number;
  /** Entries waiting for ZooKeeper beyond this are dropped (logged): a stuck ZooKeeper must not eat the heap. @default 10000 */
  maxPending?: number;
}

/**
 * Records every audited request after it was answered (onResponse): the answer never waits
 * for ZooKeeper nor fails because of it. The price: an entry whose write fails (no session,
 * ZooKeeper unreachable, the manager killed before the write) is lost to the ZooKeeper log;
 * each such loss is logged at error level with the whole entry, and the --audit-file still
 * gets the line. Each entry is created once, never retried, so none is stored twice.
 */
export class AuditRecorder {
  private readonly retention: AuditRetention;
  private readonly pending = new Set<Promise<void>>();
  private readonly codes = new WeakMap<FastifyRequest, string>();
  private readonly received = new WeakMap<FastifyRequest, number>();
  /** When each address last had a rate-limited (429) write audited. */
  private readonly refused = new Map<string, number>();
  private writtenSincePrune = 0;
  private lastPruneMs = 0;
  private pruning = false;
  private pruneAgain = false;

  constructor(
    private readonly zk: () => ZkClient,
    private readonly managerId: () => string,
    private readonly log: Logger,
    private readonly options: AuditRecorderOptions = {},
  ) {
    this.retention = { keep: options.retention?.keep ?? AUDIT_RETENTION.keep, maxAgeMs: options.retention?.maxAgeMs ?? AUDIT_RETENTION.maxAgeMs };
  }

  /**
   * The hooks: onRequest notes when the request came (install before the sign-in hook, which
   * may end the request), onSend the error code of a refusal, onResponse records the entry.
   */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', (request, _reply, done) => {
      this.received.set(request, Date.now());
      done();
    });
    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode >= 400 && typeof payload === 'string') {
        const code = errorCode(payload);
        if (code !== undefined) this.codes.set(request, code);
      }
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      if (!isAudited(request.method, reply.statusCode, request.routeOptions.url)) return;
      if (reply.statusCode === 429 && !this.firstRefusal(request.ip)) return;
      const receivedAt = new Date(this.received.get(request) ?? Date.now() - reply.elapsedTime);
      this.record(draftOf(request, reply, this.managerId(), receivedAt, this.codes.get(request)));
    });
  }

  /**
   * Whether a rate-limited (429) request of this address is audited: the first in a minute
   * only. A guesser past the sign-in limit is refused without limit, and each refusal as an
   * entry would let it flush the log; its 20 failed sign-ins a minute are all audited anyway.
   */
  private firstRefusal(address: string): boolean {
    const now = Date.now();
    const last = this.refused.get(address);
    if (last !== undefined && now - last < REFUSAL_SAMPLE_MS) return false;
    if (this.refused.size >= 10_000) {
      for (const [known, at] of this.refused) if (now - at >= REFUSAL_SAMPLE_MS) this.refused.delete(known);
      if (this.refused.size >= 10_000) this.refused.clear();
    }
    this.refused.set(address, now);
    return true;
  }

  /** Stores an entry in the background. */
  record(draft: AuditDraft): void {
    if (this.pending.size >= (this.options.maxPending ?? 10_000)) {
      this.log.error({ entry: draft }, 'audit entry dropped: too many waiting for ZooKeeper');
      void this.options.file?.append(draft);
      return;
    }
    const write = this.write(draft).finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  private async write(draft: AuditDraft): Promise<void> {
    try {
      const entry = await appendAuditEntry(this.zk(), draft);
      await this.options.file?.append(entry);
      this.writtenSincePrune++;
      this.pruneIfDue();
    } catch (error) {
      this.log.error({ detail: describeError(error), entry: draft }, 'audit entry not stored in ZooKeeper');
      await this.options.file?.append(draft);
    }
  }

  private pruneIfDue(): void {
    const due = this.writtenSincePrune >= Math.max(1, Math.ceil(this.retention.keep / 10))
      || Date.now() - this.lastPruneMs >= (this.options.pruneIntervalMs ?? 60_000);
    if (!due) return;
    // One prune at a time per manager; one due meanwhile runs right after, so the last writes are pruned for too.
    if (this.pruning) {
      this.pruneAgain = true;
      return;
    }
    this.pruning = true;
    this.writtenSincePrune = 0;
    this.lastPruneMs = Date.now();
    Promise.resolve().then(() => pruneAuditLog(this.zk(), this.retention, this.log))
      .catch((error: unknown) => this.log.warn({ detail: describeError(error) }, 'audit log pruning failed'))
      .finally(() => {
        this.pruning = false;
        if (!this.pruneAgain) return;
        this.pruneAgain = false;
        this.lastPruneMs = 0;
        this.pruneIfDue();
      });
  }

  /** Waits (at most `timeoutMs`) for the entries still being written, then closes the file. */
  async close(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.pending]), timeout]);
    clearTimeout(timer);
    if (this.pending.size > 0) this.log.error({ entries: this.pending.size }, 'audit entries still unwritten at stop');
    await this.options.file?.close();
  }
}

/** The `code` of an error answer (Ferry's error shape), or undefined. */
function errorCode(payload: string): string | undefined {
  try {
    const parsed = JSON.parse(payload) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}
