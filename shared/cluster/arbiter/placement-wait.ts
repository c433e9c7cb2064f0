import type { ZkClient } from '../../zk/zk-client.ts';
import type { AssignmentRecord, ChannelSpecT } from '../model.ts';
import { zkPaths } from '../zk-paths.ts';
import { readRecord } from '../zk-records.ts';
import { waitOnZk } from './zk-wait.ts';

/**
 * The last step of RESTART: wait for the leader's scheduler (which watches /permits and
 * /assignments) to place every pipeline of the channel again. Only an assignment with an epoch
 * above the one removed counts, so a stale one can never pass for the new placement.
 */

export interface PlacementResult {
  placed: Record<string, { node: string; epoch: number }>;
  unplaced: string[];
}

export async function awaitPlacement(zk: ZkClient, spec: ChannelSpecT, removedEpochs: ReadonlyMap<string, number>, timeoutMs: number, abandon?: () => boolean): Promise<PlacementResult> {
  const placed: PlacementResult['placed'] = {};
  await waitOnZk(async (watch) => {
    const waiting = spec.pipelines.map((p) => p.name).filter((pipeline) => placed[pipeline] === undefined);
    await Promise.all(waiting.map(async (pipeline) => {
      const path = zkPaths.assignment(pipeline);
      try {
        // exists() rather than getData(): only exists() sets a watch on a node not yet created.
        if ((await zk.exists(path, watch(`assignment:${pipeline}`))) === null) return;
        const assignment = await readRecord<AssignmentRecord>(zk, path);
        if (assignment && assignment.value.epoch > (removedEpochs.get(pipeline) ?? 0)) placed[pipeline] = { node: assignment.value.node, epoch: assignment.value.epoch };
      } catch {
        // ZooKeeper trouble: not placed yet as far as we know; the next poll looks again.
      }
    }));
    return Object.keys(placed).length === spec.pipelines.length;
  }, { timeoutMs, abandon });
  return { placed, unplaced: spec.pipelines.map((p) => p.name).filter((pipeline) => placed[pipeline] === undefined) };
}
