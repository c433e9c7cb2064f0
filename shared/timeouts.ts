import { FerryError } from './errors/index.ts';

/**
 * `work`'s outcome, or `late` once `ms` passed first. The timer never outlives the race, and
 * a rejection of `work` after the deadline is swallowed (nobody waits for it any more).
 * For waits on a peer that may never answer: a ZooKeeper request on a dead session, a duty
 * that does not stop.
 */
export async function settleWithin<T, L>(work: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<L>((resolve) => {
    timer = setTimeout(() => resolve(late), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const LATE = Symbol('late');

/** `work`'s outcome, or FERRY_ERR_ZK_SLOW once `ms` passed first (ZooKeeper calls queue while disconnected). */
export async function withZkDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  const outcome = await settleWithin(work, ms, LATE);
  if (outcome === LATE) throw new FerryError('FERRY_ERR_ZK_SLOW', { what, ms });
  return outcome;
}
