import type { Pool, RowDataPacket } from 'mysql2/promise';
import { describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { lockBlockersSql, type Flavor } from '../../shared/mysql/flavor.ts';

/** How long a claim waits on an older owner's batch before ending that batch's transaction. */
export const STALE_OWNER_GRACE_MS = 3_000;
const POLL_MS = 250;

/**
 * Runs beside a fence claim. A claim waits for the previous owner's batches, which hold a
 * shared lock on the fence row; a healthy batch commits in milliseconds. A previous owner that
 * was frozen (SIGSTOP, a long GC, a VM pause) or cut off keeps its transaction open, and the
 * target would keep it open for as long as the TCP connection looks alive: the new owner
 * would wait forever. After the grace period this kills the blocking connections; their
 * transactions roll back, and the batch is applied again by the new owner from the
 * checkpoint. Safe because the fence refuses the old epoch from then on (never two writers),
 * and only transactions blocking this claim are touched.
 */
export function breakStaleOwners(pool: Pool, flavor: Flavor, claimThreadId: number, log: Logger, graceMs = STALE_OWNER_GRACE_MS): { stop(): void } {
  let stopped = false;
  let lookupFailed = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<void> => {
    try {
      const [rows] = await pool.query<RowDataPacket[]>(lockBlockersSql(flavor), [claimThreadId]);
      for (const { blocker } of rows) {
        if (stopped) return;
        log.warn({ thread: Number(blocker), graceMs }, 'ending a previous owner\'s transaction that blocks the fence claim');
        await pool.query(`KILL ${Number(blocker)}`).catch((error: unknown) => log.warn({ thread: Number(blocker), detail: describeError(error) }, 'could not end the blocking transaction'));
      }
    } catch (error) {
      // Once per claim: the poll repeats every 250 ms for as long as the claim waits.
      if (!lookupFailed) log.warn({ detail: describeError(error) }, 'could not look up what blocks the fence claim (PROCESS privilege?)');
      lookupFailed = true;
    }
    if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
  };
  timer = setTimeout(() => void poll(), graceMs);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
