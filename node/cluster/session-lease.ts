import { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { SessionState } from '../../shared/zk/zk-client.ts';

/** What the lease needs of a ZooKeeper session; unit tests pass a fake. */
export interface LeaseSession {
  /** The negotiated session timeout. */
  readonly sessionTimeoutMs: number;
  onState(listener: (state: SessionState) => void): () => void;
  /** A cheap request; resolves once ZooKeeper answered it. */
  probe(): Promise<unknown>;
}

export interface SessionLeaseDeps {
  nodeId: string;
  log: Logger;
  /** Stop every pipeline now: abort, no commit, nothing starts until onRegained. */
  onLost(): void;
  /** The session is confirmed again: pipelines may run. */
  onRegained(): void;
  /** Monotonic milliseconds. @default performance.now */
  now?: () => number;
}

/** Share of the session timeout after which a silent session counts as lost. */
export const LEASE_FRACTION = 2 / 3;
/** Probes per lease period: a healthy node renews well before the lease runs out. */
const PROBES_PER_LEASE = 4;

/**
 * Whether this node may still act as the owner of its pipelines (never two writers).
 * ZooKeeper expires a session only after hearing nothing from its client for the whole
 * session timeout, and the leader moves work only after that plus its protection period. A
 * node that got an answer to a request sent less than 2/3 of the timeout ago therefore
 * knows its session lives; past that it aborts its pipelines before any successor may start.
 *
 * "Heard" is the send time of the last request ZooKeeper answered (a probe every 1/6 of the
 * timeout), on this process's monotonic clock: no two clocks have to agree. The client
 * library reports no ping answers, and a silent network split may never raise
 * 'disconnected', hence the probes. Before the node's first session the lease does not
 * apply: a node started without ZooKeeper runs from its cache, fenced by the target alone.
 */
export class SessionLease {
  private session: LeaseSession | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heardAt = -Infinity;
  private limitMs = 0;
  private hadSession = false;
  private lost = false;
  private probing = false;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: SessionLeaseDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  /** True while the node must run nothing: it had a session and cannot vouch for it now. */
  get holding(): boolean {
    return this.hadSession && (this.lost || this.silentMs() > this.limitMs);
  }

  /** A new session was just established (and registered): the lease starts from now. */
  begin(session: LeaseSession): void {
    this.detach();
    this.session = session;
    this.hadSession = true;
    this.limitMs = session.sessionTimeoutMs * LEASE_FRACTION;
    this.heardAt = this.now();
    this.unsubscribe = session.onState((state) => {
      if (state === 'expired') this.lose('session expired');
      else if (state === 'connected') void this.probe();
    });
    this.timer = setInterval(() => this.check(), Math.max(50, this.limitMs / PROBES_PER_LEASE));
    if (this.lost) this.regain();
  }

  /** The session is gone (expired, closed): hold until the next begin(). */
  end(): void {
    this.detach();
    if (this.hadSession) this.lose('session ended');
  }

  /** Shutdown: the runners were stopped already; only the timer and listener go. */
  close(): void {
    this.closed = true;
    this.detach();
  }

  /** Passed to runners as their beforeCommit: refuses a commit the node cannot vouch for. */
  assertCommitAllowed(): void {
    if (!this.holding) return;
    throw new FerryError('FERRY_ERR_NODE_SESSION_LOST', { node: this.deps.nodeId, silentMs: Math.round(this.silentMs()), limitMs: Math.round(this.limitMs) });
  }

  private silentMs(): number {
    return this.now() - this.heardAt;
  }

  private check(): void {
    if (!this.lost && this.silentMs() > this.limitMs) this.lose('no answer from ZooKeeper within the lease');
    void this.probe();
  }

  /** One probe at a time: a hung one must not pile more up behind it. */
  private async probe(): Promise<void> {
    const session = this.session;
    if (!session || this.probing) return;
    this.probing = true;
    const sentAt = this.now();
    try {
      await session.probe();
      if (session !== this.session) return;
      this.heardAt = Math.max(this.heardAt, sentAt);
      if (this.lost && this.silentMs() <= this.limitMs) this.regain();
    } catch {
      // No answer: the next check decides.
    } finally {
      this.probing = false;
    }
  }

  private lose(reason: string): void {
    if (this.lost || this.closed) return;
    this.lost = true;
    this.deps.log.warn({ reason, silentMs: Math.round(this.silentMs()), limitMs: Math.round(this.limitMs) }, 'ZooKeeper session in doubt: aborting every pipeline, nothing commits until it is confirmed');
    this.deps.onLost();
  }

  private regain(): void {
    this.lost = false;
    this.deps.log.info('ZooKeeper session confirmed: pipelines may run again');
    this.deps.onRegained();
  }

  private detach(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.session = undefined;
  }
}
