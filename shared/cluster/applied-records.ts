import { isFerryError } from '../errors/index.ts';
import type { ZkClient } from '../zk/zk-client.ts';
import { zkPaths } from './zk-paths.ts';
import { readRecord } from './zk-records.ts';

/**
 * /applied/<pipeline>: the pipeline's target held a checkpoint, and the newest position a node
 * saw committed there (written by the node holding its load side, at each claim and then at
 * most every few seconds). Outside the target on purpose: when the target loses the checkpoint
 * and even the system schema (a drop, a restore from an older dump, a new target by mistake),
 * this still says that the pipeline ran and where it had got to, so its next start is refused
 * rather than put at the binlog end (FERRY_ERR_CHECKPOINT_MISSING). Display text, not a
 * position of record: the checkpoint in the target stays that.
 */
export interface AppliedRecord {
  /** GTID set, or file:pos where no GTID is known. */
  position: string;
  /** The assignment epoch whose runner wrote it: an older epoch never overwrites a newer one. */
  epoch: number;
  node: string;
  at: string;
}

export async function readApplied(zk: ZkClient, pipeline: string): Promise<AppliedRecord | undefined> {
  return (await readRecord<AppliedRecord>(zk, zkPaths.applied(pipeline)))?.value;
}

/** Writes the record unless one of a newer epoch is there; compare-and-set, retried when raced. */
export async function writeApplied(zk: ZkClient, pipeline: string, record: AppliedRecord): Promise<void> {
  const path = zkPaths.applied(pipeline);
  const data = JSON.stringify(record);
  for (;;) {
    const current = await readRecord<AppliedRecord>(zk, path);
    if (current && current.value.epoch > record.epoch) return;
    try {
      if (current) await zk.setData(path, data, current.version);
      else {
        await zk.mkdirp(zkPaths.appliedRoot);
        await zk.create(path, data);
      }
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') && !isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') && !isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) throw error;
    }
  }
}
