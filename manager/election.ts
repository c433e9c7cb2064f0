import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { describeError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { settleWithin } from '../shared/timeouts.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';
import { electionCandidates } from './runtime-state.ts';

const RETRY_MS = 500;
const LEAVE_WAIT_MS = 2_000;

/**
 * Leader election among managers, the ZooKeeper recipe: every manager creates an
 * ephemeral-sequential candidate holding its id; the lowest sequence leads. Each candidate
 * watches only the one just before it, so a leader's death wakes one manager, not all (no
 * herd). The candidate is ephemeral: when the leader's process dies or its session expires,
 * ZooKeeper deletes it and the next candidate leads, within the session timeout.
 *
 * One instance lives as long as one ZooKeeper session; after expiry the manager makes a new
 * session and a new LeaderElection.
 */
export class LeaderElection {
  private candidate: string | undefined;
  private leading = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly zk: ZkClient,
    private readonly managerId: string,
    private readonly log: Logger,
    private readonly onChange: (leading: boolean) => void,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  async join(): Promise<void> {
    const path = await this.zk.create(zkPaths.electionCandidatePrefix, this.managerId, 'ephemeral-sequential');
    this.candidate = path.slice(path.lastIndexOf('/') + 1);
    this.log.info({ candidate: this.candidate }, 'joined the leader election');
    await this.check();
  }

  /** Leads when first; otherwise watches the predecessor. Safe to call any time (idempotent). */
  async check(): Promise<void> {
    if (this.stopped || this.candidate === undefined) return;
    const candidates = await electionCandidates(this.zk);
    const index = candidates.indexOf(this.candidate);
    if (index < 0) {
      // Our ephemeral candidate is gone: the session expired; the manager starts a new one.
      this.setLeading(false);
      return;
    }
    if (index === 0) {
      this.setLeading(true);
      return;
    }
    const predecessor = `${zkPaths.election}/${candidates[index - 1]}`;
    const version = await this.zk.exists(predecessor, () => this.recheck());
    if (version === null) return this.check(); // it vanished between the listing and the watch
    this.setLeading(false);
  }

  /** Leaves the election at once (clean shutdown): the next candidate leads without waiting. */
  async leave(): Promise<void> {
    this.stop();
    if (this.candidate === undefined) return;
    // Bounded: with ZooKeeper unreachable the request would wait; the session close (or its
    // expiry) removes the candidate anyway.
    try {
      await settleWithin(this.zk.remove(`${zkPaths.election}/${this.candidate}`), LEAVE_WAIT_MS, undefined);
    } catch (error) {
      this.log.debug({ detail: describeError(error) }, 'election candidate already gone');
    }
  }

  /** Stops reacting to watches (the session is being replaced or closed). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.setLeading(false);
  }

  private recheck(): void {
    this.check().catch((error: unknown) => {
      if (this.stopped) return;
      this.log.warn({ detail: describeError(error) }, 'election check failed; retrying');
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.recheck(), RETRY_MS);
    });
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log.info({ leading }, leading ? 'became the leader' : 'no longer the leader');
    this.onChange(leading);
  }
}
