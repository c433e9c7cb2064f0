import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { PIPELINE, type ChaosCluster } from './cluster.ts';
import { PIPE_SILENCE_S } from './kinds.ts';
import { channelView, pipelineView } from './sides.ts';

/** How long after the heal the suite waits to see the pipeline's epoch raised by a RESTART. */
const RESTART_SEEN_WITHIN_MS = 60_000;

/**
 * A WAN fault: `cut` (every pipe connection reset, new ones refused) or `blackhole` (nothing
 * crosses, nothing closes) for `seconds`, then healed. The repair also checks that the fault
 * was noticed: both sides must have failed to the arbiter, whose RESTART places the pipeline
 * again under a new epoch (the probe alone could be satisfied by a session that never broke,
 * when the outage is shorter than the pipe's silence bound).
 */
export async function wanFault(cluster: ChaosCluster, fault: 'cut' | 'blackhole', seconds: number, log: Logger, signal: AbortSignal): Promise<{ target: string; repair: () => Promise<void> }> {
  const before = (await pipelineView(cluster))?.epoch ?? null;
  if (fault === 'cut') cluster.wan.cut();
  else cluster.wan.blackhole();
  return {
    target: 'wan',
    repair: async () => {
      await sleep(seconds * 1000, undefined, { signal }).catch(() => undefined);
      cluster.wan.heal();
      if (before === null || seconds <= PIPE_SILENCE_S) return;
      const deadline = Date.now() + RESTART_SEEN_WITHIN_MS;
      for (;;) {
        const epoch = (await pipelineView(cluster))?.epoch ?? null;
        if (epoch !== null && epoch > before) {
          log.info({ fault, before, epoch }, 'chaos wan fault restarted the pipeline');
          return;
        }
        if (signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
        if (Date.now() > deadline) {
          // Paused by a node (failures in a row): the sides did fail, but nothing placed them again.
          const channel = await channelView(cluster);
          throw new FerryError('FERRY_ERR_CHAOS_WAN_UNNOTICED', { fault, seconds, pipeline: PIPELINE, epoch: before, status: channel?.status ?? 'unknown', statusBy: channel?.statusBy ?? 'unknown' });
        }
        await sleep(250);
      }
    },
  };
}
