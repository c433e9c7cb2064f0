import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigStore, EditPlan } from '../../shared/cluster/config-store.ts';
import { isFerryError } from '../../shared/errors/index.ts';

const ROUNDS = 6;

/**
 * ConfigStore.edit, started over with a random pause when it gave up on a race. The store
 * retries at once, a few times; with many writers at once (a script creating 20 data sources
 * through two managers) the same writer can lose every time. Pausing a random while breaks
 * the lockstep, so a burst of edits drains instead of some failing with a 409 they did not
 * deserve. `prepare` runs before each round (the history parent an edit writes under, which
 * pruning may have removed since the last round).
 */
export async function editWithBackoff(store: ConfigStore, plan: EditPlan, prepare?: () => Promise<void>): Promise<number> {
  for (let round = 1; ; round++) {
    try {
      await prepare?.();
      return await store.edit(plan);
    } catch (error) {
      const raced = isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') || isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') || isFerryError(error, 'FERRY_ERR_ZK_NO_NODE');
      if (!raced || round >= ROUNDS) throw error;
      await sleep(Math.random() * 20 * round);
    }
  }
}
