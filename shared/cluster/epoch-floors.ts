import { isFerryError } from '../errors/index.ts';
import type { ZkClient } from '../zk/zk-client.ts';
import { zkPaths } from './zk-paths.ts';
import { readRecord } from './zk-records.ts';

/**
 * /epoch-floors/<pipeline>: `{ epoch }`, the target fence's epoch a node's claim ran into
 * while ZooKeeper held no newer assignment. Assignment epochs come from ZooKeeper versions,
 * which start again low in a rebuilt ensemble or a new chroot while the target keeps its
 * fence: the scheduler places the pipeline above the floor (assignment-writes.ts), so the
 * next claim passes without a person.
 */
export interface EpochFloorRecord {
  epoch: number;
  /** Who raised it and when, for the record. */
  by: string;
  at: string;
}

/** The pipeline's floor, 0 when none was recorded. */
export async function readEpochFloor(zk: ZkClient, pipeline: string): Promise<number> {
  const record = await readRecord<EpochFloorRecord>(zk, zkPaths.epochFloor(pipeline));
  return record?.value.epoch ?? 0;
}

/** Raises the floor to `epoch` (never lowers it), by compare-and-set; retries when raced. */
export async function raiseEpochFloor(zk: ZkClient, pipeline: string, epoch: number, by: string): Promise<void> {
  const path = zkPaths.epochFloor(pipeline);
  for (;;) {
    const current = await readRecord<EpochFloorRecord>(zk, path);
    if (current && current.value.epoch >= epoch) return;
    const data = JSON.stringify({ epoch, by, at: new Date().toISOString() } satisfies EpochFloorRecord);
    try {
      if (current) await zk.setData(path, data, current.version);
      else {
        await zk.mkdirp(zkPaths.epochFloors);
        await zk.create(path, data);
      }
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') && !isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') && !isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) throw error;
    }
  }
}
