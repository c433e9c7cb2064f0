import type { NodeRecord } from '../../shared/cluster/model.ts';

/**
 * The leader's memory of vanished nodes (Otter's node monitor). A node whose ephemeral znode
 * is gone while assignments still name it may be restarting (a deploy, a crash the process
 * manager restarts), so its work waits for it for the protection period; only then does it
 * move. A node last seen 'leaving' said goodbye: nothing waits for it.
 *
 * Time is the leader's monotonic clock, passed in (performance.now() in the scheduler): a
 * period starts when THIS leader first sees the node missing, so a new leader waits a whole
 * period again and nothing depends on the clocks of nodes and managers agreeing.
 */

export interface LivenessChanges {
  /** Nodes newly seen 'leaving' (a clean shutdown): their work moves now. */
  leaving: string[];
  /** Newly missing nodes holding work, not seen leaving: their work waits `protectedMs`. */
  down: { node: string; protectedMs: number }[];
  /** Missing nodes registered again while their work still waits for them: they keep it. */
  back: string[];
  /** Protection ran out just now: their work moves. */
  expired: string[];
}

interface Missing {
  sinceMs: number;
  /** False for a node that left cleanly: its work moves at once. */
  protect: boolean;
  expired: boolean;
}

export class NodeLiveness {
  private readonly missing = new Map<string, Missing>();
  /** State of each live node at the last observation. */
  private lastState = new Map<string, NodeRecord['state']>();

  constructor(private readonly protectionPeriodMs: number) {}

  /**
   * One observation: the live nodes and the nodes assignments name. Nodes nobody's work
   * names are not tracked: nothing waits for them.
   */
  observe(live: ReadonlyMap<string, Pick<NodeRecord, 'state'>>, holders: ReadonlySet<string>, nowMs: number): LivenessChanges {
    const changes: LivenessChanges = { leaving: [], down: [], back: [], expired: [] };
    for (const [id, node] of live) {
      if (node.state === 'leaving' && this.lastState.get(id) !== 'leaving') changes.leaving.push(id);
      // Back while assignments still name it (within the period, or after it when no other
      // node could take its work): it keeps them.
      if (this.missing.delete(id)) changes.back.push(id);
    }
    for (const id of holders) {
      if (live.has(id) || this.missing.has(id)) continue;
      const protect = this.lastState.get(id) !== 'leaving';
      this.missing.set(id, { sinceMs: nowMs, protect, expired: false });
      if (protect) changes.down.push({ node: id, protectedMs: this.protectionPeriodMs });
    }
    for (const [id, gone] of this.missing) {
      if (!holders.has(id)) this.missing.delete(id); // its work moved or ended: nothing waits
      else if (gone.protect && !gone.expired && nowMs - gone.sinceMs >= this.protectionPeriodMs) {
        gone.expired = true;
        changes.expired.push(id);
      }
    }
    this.lastState = new Map([...live].map(([id, node]) => [id, node.state]));
    return changes;
  }

  /** Missing nodes whose protection still runs at `nowMs`: their assignments stay. */
  protectedNodes(nowMs: number): Set<string> {
    const ids = new Set<string>();
    for (const [id, gone] of this.missing) if (gone.protect && nowMs - gone.sinceMs < this.protectionPeriodMs) ids.add(id);
    return ids;
  }

  /** Milliseconds from `nowMs` until the next protection period ends, if one runs. */
  nextExpiryInMs(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const gone of this.missing.values()) {
      if (!gone.protect || gone.expired) continue;
      const left = Math.max(0, gone.sinceMs + this.protectionPeriodMs - nowMs);
      next = next === undefined ? left : Math.min(next, left);
    }
    return next;
  }
}
