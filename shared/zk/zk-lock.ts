import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError, isFerryError } from '../errors/index.ts';
import type { Logger } from '../logging.ts';
import { createContender, ownerOf, queueOf, type ContenderData } from './zk-lock-contender.ts';
import { ZkLock, removeBounded, type LockHandle, type LockZk } from './zk-lock-handle.ts';

export type { LockHandle, LockZk } from './zk-lock-handle.ts';

/**
 * The ZooKeeper mutex recipe. Each contender creates an ephemeral-sequential `lock-` child of
 * the lock directory; the lowest sequence holds the lock. A waiting contender watches only its
 * immediate predecessor, so a release wakes one contender, not all (no herd). Contenders are
 * ephemeral: a holder that dies passes the lock on when its session ends. Not reentrant.
 */

export interface LockOptions {
  /** Who asks, e.g. 'manager:m1' or 'node:n3'; a contender that times out names the holder. */
  owner: string;
  /** How long to wait before FERRY_ERR_LOCK_TIMEOUT (also bounds ZooKeeper being unreachable). */
  timeoutMs: number;
  /** Aborting gives up waiting: the contender node is deleted and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  log?: Logger;
}

const RETRY_MS = 200;

/** The reason an abort gave (an AbortError unless the caller chose one), as an Error. */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(`lock wait aborted: ${String(reason)}`);
}

class Acquisition {
  private name: string | undefined;
  private holder = 'unknown';
  /** Set once the caller stopped waiting (timeout, abort, error): contend() must clean up and stop. */
  private abandoned = false;
  private expired = false;
  private wake: (() => void) | undefined;
  private readonly data: ContenderData;

  constructor(private readonly zk: LockZk, private readonly lockDir: string, private readonly options: LockOptions) {
    this.data = { owner: options.owner, at: new Date().toISOString(), contender: randomUUID() };
  }

  async run(): Promise<LockHandle> {
    const { signal, timeoutMs } = this.options;
    signal?.throwIfAborted();
    const stopWatchingSession = this.zk.onState((state) => void (this.expired ||= state === 'expired'));
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let reason: Error | undefined;
    // A race rather than checks between calls: with ZooKeeper unreachable a call would wait
    // for the reconnect, and the caller asked for a bounded wait.
    const gaveUp = new Promise<never>((_, reject) => {
      const giveUp = (error: Error) => {
        reason ??= error;
        this.abandoned = true;
        this.wake?.();
        reject(error);
      };
      timer = setTimeout(() => giveUp(new FerryError('FERRY_ERR_LOCK_TIMEOUT', { lock: this.lockDir, owner: this.options.owner, holder: this.holder, timeoutMs })), timeoutMs);
      onAbort = () => giveUp(abortReason(signal));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const handle = await Promise.race([this.contend(), gaveUp]);
      if (reason) {
        // Gave up just as the lock came: give it back rather than hand out a lock nobody waits for.
        await handle.release();
        throw reason;
      }
      return handle;
    } catch (error) {
      this.abandoned = true;
      this.wake?.();
      await this.withdraw();
      throw error;
    } finally {
      clearTimeout(timer);
      stopWatchingSession();
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private async contend(): Promise<LockHandle> {
    await this.zk.mkdirp(this.lockDir);
    this.name = await createContender(this.zk, this.lockDir, this.data, () => this.abandoned);
    for (;;) {
      await this.stopIfAbandoned();
      try {
        const handle = await this.takeTurn(this.name);
        if (handle) return handle;
      } catch (error) {
        // Connection loss: the client reconnects within its session and our contender stays
        // queued, so look again (the deadline bounds this). An expired session ends the wait.
        if (!isFerryError(error, 'FERRY_ERR_ZK_OPERATION') || this.expired) throw error;
        await sleep(RETRY_MS);
      }
    }
  }

  /** The lock when our contender is first; otherwise waits for the predecessor to change. */
  private async takeTurn(name: string): Promise<LockHandle | undefined> {
    const queue = queueOf(await this.zk.getChildren(this.lockDir));
    const index = queue.indexOf(name);
    if (index < 0) throw new FerryError('FERRY_ERR_LOCK_LOST', { lock: this.lockDir, owner: this.options.owner, detail: 'the contender node vanished while waiting (session expired?)' });
    if (index === 0) {
      await this.stopIfAbandoned();
      this.options.log?.debug({ lock: this.lockDir, node: name }, 'lock acquired');
      return new ZkLock(this.zk, `${this.lockDir}/${name}`, this.options.log);
    }
    this.holder = (await ownerOf(this.zk, `${this.lockDir}/${queue[0]!}`)) ?? this.holder;
    this.options.log?.debug({ lock: this.lockDir, holder: this.holder, position: index }, 'waiting for lock');
    await this.predecessorGone(`${this.lockDir}/${queue[index - 1]!}`);
    return undefined;
  }

  /** Resolves when the predecessor changes or goes (re-check either way), or when woken to give up. */
  private predecessorGone(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.wake = undefined;
        resolve();
      };
      if (this.abandoned) return done();
      this.wake = done;
      this.zk.exists(path, done).then((version) => version === null && done(), reject);
    });
  }

  private async stopIfAbandoned(): Promise<void> {
    if (!this.abandoned) return;
    await this.withdraw();
    throw new Error('lock acquisition abandoned'); // run() has already rejected; nobody sees this
  }

  private async withdraw(): Promise<void> {
    if (this.name !== undefined) await removeBounded(this.zk, `${this.lockDir}/${this.name}`);
  }
}

/** Waits for the lock at `lockDir` (created if missing) and returns it held. */
export function acquireLock(zk: LockZk, lockDir: string, options: LockOptions): Promise<LockHandle> {
  return new Acquisition(zk, lockDir, options).run();
}

/** Runs `fn` holding the lock and always releases it, whatever `fn` does. */
export async function withLock<T>(zk: LockZk, lockDir: string, options: LockOptions, fn: (lock: LockHandle) => Promise<T>): Promise<T> {
  const lock = await acquireLock(zk, lockDir, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
