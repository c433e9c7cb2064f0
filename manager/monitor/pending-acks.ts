/**
 * Pending assignments the assigned node has not acked in time. A node acks once it runs the
 * pipeline; a live node that does not (it cannot start it: prechecks fail, a database is out
 * of reach, or it is stuck) is worth a WARNING, once per assignment. The assignment is not
 * moved for that: moving work off a live node would risk two nodes selecting at once, and a
 * node that is truly gone is handled by the protection period.
 *
 * Time is the leader's monotonic clock, counted from when THIS leader first saw it pending.
 */

export interface PendingAssignment {
  pipeline: string;
  node: string;
  epoch: number;
}

export class PendingAcks {
  private readonly since = new Map<string, { sinceMs: number; warned: boolean }>();

  constructor(private readonly ackTimeoutMs: number) {}

  /** Every assignment pending now on a live node of a started channel; returns the newly overdue ones. */
  overdue<T extends PendingAssignment>(pending: readonly T[], nowMs: number): (T & { waitedMs: number })[] {
    const found: (T & { waitedMs: number })[] = [];
    const seen = new Set<string>();
    for (const assignment of pending) {
      const key = `${assignment.pipeline}\u0000${assignment.node}\u0000${assignment.epoch}`;
      seen.add(key);
      let entry = this.since.get(key);
      if (!entry) this.since.set(key, (entry = { sinceMs: nowMs, warned: false }));
      const waitedMs = nowMs - entry.sinceMs;
      if (!entry.warned && waitedMs >= this.ackTimeoutMs) {
        entry.warned = true;
        found.push({ ...assignment, waitedMs });
      }
    }
    for (const key of this.since.keys()) if (!seen.has(key)) this.since.delete(key);
    return found;
  }
}
