import type { Watcher } from '../../zk/zk-client.ts';

/**
 * Waits for a condition on ZooKeeper state, woken by watches and, in case a watch is lost
 * (a reconnect), by a slow poll. `check` reads what it needs, passing `watch(key)` to the reads
 * it wants to be woken by. A key holds at most one armed watch, re-armed once it fired: the
 * client library keeps every watcher it is given until its node changes, so arming one per
 * poll would pile them up on nodes that never change.
 */

/** A watcher for `key`, or undefined when one is armed already (it will wake the wait). */
export type WatchFor = (key: string) => Watcher | undefined;

export interface ZkWaitOptions {
  timeoutMs: number;
  /** Re-check without any watch firing this often. @default 500 */
  pollMs?: number;
  /** Stops waiting (resolves false) when it returns true, e.g. the lock was lost. */
  abandon?: () => boolean;
}

/** True once `check` returned true; false when the time ran out or the wait was abandoned. */
export async function waitOnZk(check: (watch: WatchFor) => Promise<boolean>, options: ZkWaitOptions): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  const armed = new Set<string>();
  let fired = false;
  let wake: (() => void) | undefined;
  const watch: WatchFor = (key) => {
    if (armed.has(key)) return undefined;
    armed.add(key);
    return () => {
      armed.delete(key);
      fired = true;
      wake?.();
    };
  };
  for (;;) {
    fired = false;
    if (options.abandon?.()) return false;
    if (await check(watch)) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    if (fired) continue; // changed while we read: look again at once
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.min(left, options.pollMs ?? 500));
      wake = done;
    });
  }
}
