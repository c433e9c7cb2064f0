import type { SourceTransaction } from '../../shared/model/change.ts';

/**
 * How long a bidirectional pipeline may send nothing while its source takes only its mirror's
 * transactions before it sends one of them, empty: the checkpoint then advances and the binlog
 * at it stays safe from purging.
 */
export const MIRROR_KEEPALIVE_MS = 60_000;

/**
 * Loop prevention for one direction of a bidirectional channel (docs/bidirectional.md, 1).
 * A transaction its mirror applied to this source (the mirror's mark in appliedBy: its
 * checkpoint row, or the comment of its DDL) is dropped whole, rows from target triggers
 * included, before it is queued. Dropped, it is not sent at all: sent empty it would commit a
 * checkpoint row on the target, which is the mirror's source, and the mirror would answer
 * with a checkpoint of its own, for ever. Only when nothing was queued for keepAliveMs is one
 * sent, empty, so that the checkpoint follows a source written by the mirror alone; the
 * mirror drops that one in turn (it carries this pipeline's mark), so nothing bounces.
 * Transactions applied by any other pipeline flow: a cascade A <-> B, B -> C delivers A's rows
 * to C through B.
 *
 * The primary's direction (`primary`) forwards its mirror's row transactions instead, marked
 * `echo`: Load applies them only where the target still holds what they expect, which makes
 * the other master replay the primary's whole history, so both converge even after an ABA on
 * the primary (docs/bidirectional.md, 3). Nothing loops: what the echo writes carries this
 * pipeline's mark, which the mirror drops. A transaction of the mirror without rows (a
 * keep-alive, DDL) has nothing to echo and follows the rule above.
 */
export class MirrorFilter {
  private lastQueuedAt: number;

  constructor(
    private readonly mirror: string,
    private readonly keepAliveMs: number = MIRROR_KEEPALIVE_MS,
    private readonly now: () => number = Date.now,
    private readonly primary = false,
  ) {
    // The start counts as a send: a backlog of the mirror's transactions is read for up to
    // keepAliveMs before one of them moves the checkpoint.
    this.lastQueuedAt = now();
  }

  /** The transaction to queue (itself, or emptied as a keep-alive), or undefined to drop it. */
  admit(transaction: SourceTransaction): SourceTransaction | undefined {
    const at = this.now();
    if (transaction.appliedBy?.includes(this.mirror) !== true) {
      this.lastQueuedAt = at;
      return transaction;
    }
    if (this.primary && transaction.ddl === undefined && transaction.changes.length > 0) {
      this.lastQueuedAt = at;
      // An echo applies only where the target still holds what it expects: by SQL, never replayed.
      const echo: SourceTransaction = { ...transaction, echo: true };
      delete echo.replay;
      return echo;
    }
    if (at - this.lastQueuedAt < this.keepAliveMs) return undefined;
    this.lastQueuedAt = at;
    const keepAlive: SourceTransaction = { end: transaction.end, timestamp: transaction.timestamp, changes: [], bytes: 0, appliedBy: transaction.appliedBy };
    if (transaction.gtid !== undefined) keepAlive.gtid = transaction.gtid;
    return keepAlive;
  }
}
