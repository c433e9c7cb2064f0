import type { SessionState } from '../zk/zk-client.ts';
import type { FerryMetrics } from './registry.ts';
import { ZK_SESSION_STATES } from './series.ts';

/** ferry_zk_session_state, one-hot, read from `state` at every scrape. */
export function feedZkSessionState(metrics: FerryMetrics, state: () => SessionState): () => void {
  return metrics.onScrape(() => {
    const now = state();
    for (const each of ZK_SESSION_STATES) metrics.series.zkSession.set({ state: each }, each === now ? 1 : 0);
  });
}
