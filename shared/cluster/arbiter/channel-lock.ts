import { FerryError } from '../../errors/index.ts';
import type { Logger } from '../../logging.ts';
import { withLock } from '../../zk/zk-lock.ts';
import { zkPaths } from '../zk-paths.ts';
import { ARBITER_DEFAULTS, type ArbiterAction, type ArbiterCause, type ArbiterContext } from './arbiter-types.ts';
import { readChannel } from './channel-records.ts';

/**
 * Runs one arbiter action holding the channel's ZooKeeper lock, so that actions on a channel,
 * from any manager or node, run one after another and never interleave. Long steps check
 * `ensureHeld()` before each irreversible write: a lock lost (session expired) mid-way stops
 * the action with FERRY_ERR_LOCK_LOST rather than writing beside the next holder.
 */

export interface HeldChannelLock {
  readonly lost: boolean;
  /** Throws FERRY_ERR_LOCK_LOST once the lock can no longer be trusted. */
  ensureHeld(): void;
  /** The arbiter's logger with {channel, action, by}. */
  log: Logger;
}

export async function underChannelLock<T>(ctx: ArbiterContext, channel: string, action: ArbiterAction, cause: ArbiterCause, work: (lock: HeldChannelLock) => Promise<T>): Promise<T> {
  const lockDir = zkPaths.channelLock(channel);
  const log = ctx.log.child({ component: 'arbiter', channel, action, by: cause.by });
  const timeoutMs = ctx.lockTimeoutMs ?? ARBITER_DEFAULTS.lockTimeoutMs;
  // Checked before locking too, so that a mistyped name leaves no lock directory behind.
  await readChannel(ctx.zk, channel);
  log.debug({ reason: cause.reason, timeoutMs }, 'arbiter waiting for the channel lock');
  return withLock(ctx.zk, lockDir, { owner: cause.by, timeoutMs, log }, async (handle) => {
    const started = performance.now();
    log.info({ lock: handle.path, reason: cause.reason }, 'arbiter lock acquired');
    const held: HeldChannelLock = {
      get lost() {
        return handle.lost;
      },
      ensureHeld() {
        if (handle.lost) throw new FerryError('FERRY_ERR_LOCK_LOST', { lock: lockDir, owner: cause.by, detail: `${action} of channel ${channel} stopped part-way` });
      },
      log,
    };
    const result = await work(held);
    log.info({ lock: handle.path, ms: Math.round(performance.now() - started) }, 'arbiter action done; releasing the lock');
    return result;
  });
}
