import type { EventRecord } from '../../shared/cluster/event-log.ts';

/** A node that is gone from /nodes while assignments still name it: its work waits for it. */
export interface VanishedNode {
  id: string;
  /** What still names it: pipelines, `select:<pipeline>` for a select side. */
  pipelines: string[];
  /** When the leader saw it go (its NODE_DOWN event, the writer's clock); null when no event says. */
  since: string | null;
  protectionPeriodMs: number | null;
  /** When its work moves unless it comes back: since + protection period (null when unknown). */
  movesAt: string | null;
}

/**
 * The vanished nodes, from what ZooKeeper holds, so that any manager gives the same answer:
 * nodes named by assignments but not registered, with the latest NODE_DOWN event of each
 * (newest first in `downEvents`) for when they went and how long their work waits.
 */
export function vanishedNodes(registered: ReadonlySet<string>, holders: ReadonlyArray<{ node: string; pipeline: string }>, downEvents: readonly EventRecord[]): VanishedNode[] {
  const byNode = new Map<string, string[]>();
  for (const { node, pipeline } of holders) {
    if (registered.has(node)) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pipeline]);
  }
  return [...byNode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, pipelines]) => {
    const down = downEvents.find((event) => event.node === id);
    const period = down?.details?.protectionPeriodMs;
    const protectionPeriodMs = typeof period === 'number' ? period : null;
    const since = down?.at ?? null;
    const movesAt = since !== null && protectionPeriodMs !== null ? new Date(Date.parse(since) + protectionPeriodMs).toISOString() : null;
    return { id, pipelines: pipelines.sort(), since, protectionPeriodMs, movesAt };
  });
}
