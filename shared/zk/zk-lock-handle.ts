import { isFerryError } from '../errors/index.ts';
import { settleWithin } from '../timeouts.ts';
import type { Logger } from '../logging.ts';
import type { SessionState, ZkClient } from './zk-client.ts';

/** The subset of ZkClient the lock recipe uses (tests wrap a real client to inject faults). */
export type LockZk = Pick<ZkClient, 'mkdirp' | 'create' | 'getChildren' | 'getData' | 'exists' | 'remove' | 'onState' | 'sessionId' | 'sessionTimeoutMs'>;

/** A held lock (shared/zk/zk-lock.ts). */
export interface LockHandle {
  /** The contender znode that holds the lock. */
  readonly path: string;
  /**
   * True once the lock can no longer be trusted: the session expired, the client was cut off
   * from ZooKeeper for longer than the session timeout, or the node was deleted. Long work
   * under the lock checks it between steps (and before each irreversible one).
   */
  readonly lost: boolean;
  /** Called once when the lock is lost (soon, if it already is); never after release(). */
  onLost(callback: (reason: string) => void): void;
  /** Deletes the node. Idempotent; never throws (a node it cannot delete goes with the session). */
  release(): Promise<void>;
}

const REMOVE_WAIT_MS = 3_000;
const RELEASE_ATTEMPTS = 3;

/** Deletes a node; 'already gone' counts as done. False when it failed or did not answer in time. */
export async function removeBounded(zk: Pick<ZkClient, 'remove'>, path: string, waitMs = REMOVE_WAIT_MS): Promise<boolean> {
  const removal = zk.remove(path).then(() => true, (error: unknown) => isFerryError(error, 'FERRY_ERR_ZK_NO_NODE'));
  return settleWithin(removal, waitMs, false);
}

export class ZkLock implements LockHandle {
  private lostReason: string | undefined;
  private releasing: Promise<void> | undefined;
  private readonly callbacks: ((reason: string) => void)[] = [];
  private cutOff: NodeJS.Timeout | undefined;
  private readonly stopListening: () => void;

  constructor(
    private readonly zk: LockZk,
    readonly path: string,
    private readonly log?: Logger,
  ) {
    this.stopListening = zk.onState((state) => this.onSessionState(state));
    this.watchNode();
  }

  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  onLost(callback: (reason: string) => void): void {
    if (this.releasing) return;
    const reason = this.lostReason;
    if (reason === undefined) this.callbacks.push(callback);
    else queueMicrotask(() => callback(reason));
  }

  release(): Promise<void> {
    this.releasing ??= this.delete();
    return this.releasing;
  }

  private async delete(): Promise<void> {
    this.stopListening();
    clearTimeout(this.cutOff);
    this.callbacks.length = 0;
    // A lost lock's node is normally gone with its session: one try is enough.
    const attempts = this.lost ? 1 : RELEASE_ATTEMPTS;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (await removeBounded(this.zk, this.path)) return;
    }
    this.log?.warn({ lock: this.path, attempts }, 'could not delete the lock node; it goes when the session ends');
  }

  private onSessionState(state: SessionState): void {
    clearTimeout(this.cutOff);
    if (state === 'expired') this.markLost('ZooKeeper session expired');
    else if (state === 'disconnected') {
      // The server expires a session it has not heard from for this long, and we may learn so
      // only when we reconnect: stop trusting the lock once the server may have moved on.
      this.cutOff = setTimeout(() => this.markLost('cut off from ZooKeeper longer than the session timeout'), this.zk.sessionTimeoutMs);
      this.cutOff.unref();
    }
  }

  /** Watches the own node; ZooKeeper watches are one-shot, so re-arm on anything but deletion. */
  private watchNode(): void {
    if (this.releasing || this.lost) return;
    const watched = this.zk.exists(this.path, (event) => (event.type === 'deleted' ? this.markLost('lock node deleted') : this.watchNode()));
    // A failed call is connection trouble: the session state listener decides about that.
    watched.then((version) => version === null && this.markLost('lock node deleted'), () => undefined);
  }

  private markLost(reason: string): void {
    if (this.lostReason !== undefined || this.releasing) return;
    this.lostReason = reason;
    this.stopListening();
    clearTimeout(this.cutOff);
    this.log?.warn({ lock: this.path, reason }, 'lock lost');
    for (const callback of this.callbacks.splice(0)) callback(reason);
  }
}
