import type { ConfigStore, EditPlan } from '../../shared/cluster/config-store.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { editWithBackoff } from './edit-with-backoff.ts';
import { ensureHistoryParent, type HistoryKind } from './history.ts';
import type { HistoryPruner } from './history-retention.ts';

/** What an edit of the configuration needs: the store, and where its history goes. */
export interface EditContext {
  zk: ZkClient;
  store: ConfigStore;
  /** Prunes history after each write. @default none: history grows without bound */
  history?: HistoryPruner;
}

/**
 * An edit of one entity whose plan includes its history entry (historyOp): the entry's parent
 * is made first, and the entity's history pruned after the edit landed.
 */
export async function recordedEdit(ctx: EditContext, kind: HistoryKind, name: string, plan: EditPlan): Promise<number> {
  const epoch = await editWithBackoff(ctx.store, plan, () => ensureHistoryParent(ctx.zk, kind, name));
  await ctx.history?.afterWrite(kind, name);
  return epoch;
}
