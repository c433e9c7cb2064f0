import type { EventLog } from '../../shared/cluster/event-log.ts';
import { describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';

/** The arbiter's RESTART (shared/cluster/arbiter restartChannel), or a stand-in in tests. */
export type ChannelRestart = (
  ctx: { zk: ZkClient; log: Logger; events: EventLog; lockTimeoutMs?: number },
  channel: string,
  cause: { by: string; reason: string },
) => Promise<unknown>;

/**
 * How long a node-loss RESTART waits for the channel lock. Longer than any lock holder needs
 * in the normal course; past it the scheduler moves the work itself, so a busy lock cannot
 * hold a dead node's pipelines for the arbiter's default 30 s.
 */
const LOCK_TIMEOUT_MS = 5_000;

/**
 * Otter's answer to a dead node: RESTART every channel that had work on it. The RESTART rolls
 * the channel back on every live node, removes its assignments and sets START, so the
 * scheduler places its pipelines again under new epochs. While a node's RESTARTs run, the
 * scheduler leaves the node's remaining work alone (the RESTART removes and re-places it);
 * when one fails (lock busy, channel stopped meanwhile), the next pass moves the work itself.
 */
export class NodeLossRestarts {
  /** Restarts in flight by node. */
  private readonly running = new Map<string, number>();

  constructor(
    private readonly restart: ChannelRestart,
    private readonly ctx: { zk: ZkClient; log: Logger; events: EventLog; by: string },
    /** Called when a node's last restart ended: time for a pass. */
    private readonly onSettled: () => void,
  ) {}

  /** Nodes whose restarts still run: their work stays put meanwhile. */
  holding(): ReadonlySet<string> {
    return new Set(this.running.keys());
  }

  raise(node: string, channels: readonly string[]): void {
    const { zk, log, events, by } = this.ctx;
    for (const channel of channels) {
      this.running.set(node, (this.running.get(node) ?? 0) + 1);
      log.warn({ node, channel }, 'RESTART of a channel that ran on a lost node');
      this.restart({ zk, log, events, lockTimeoutMs: LOCK_TIMEOUT_MS }, channel, { by, reason: `node ${node} did not come back within the protection period` })
        .catch((error: unknown) => log.warn({ node, channel, detail: describeError(error) }, 'RESTART after node loss failed; the scheduler moves the work itself'))
        .finally(() => {
          const left = (this.running.get(node) ?? 1) - 1;
          if (left > 0) this.running.set(node, left);
          else this.running.delete(node);
          this.onSettled();
        });
    }
  }
}
