import type { PipelineStatsRecord } from '../shared/cluster/model.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { isFerryError } from '../shared/errors/index.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';
import { readRecord } from './runtime-state.ts';

const ATTEMPTS = 3;

/**
 * Stores each pipeline's latest stats in /stats/<pipeline>. A report from an older assignment
 * epoch than the stored one is dropped: a node that lost the pipeline (and may not know yet)
 * must not overwrite what its successor reported. Display data only, so a lost race after a
 * few attempts is simply left to the next report.
 */
export async function writeStats(zk: ZkClient, stats: readonly PipelineStatsRecord[]): Promise<void> {
  await Promise.all(newestPerPipeline(stats).map((record) => writeOne(zk, record)));
}

/**
 * One record per pipeline, so a report costs one ZooKeeper read and write per pipeline however
 * many records it repeats (5,000 records of one pipeline took 10 s one by one): the one of
 * the highest epoch, the last of those.
 */
export function newestPerPipeline(stats: readonly PipelineStatsRecord[]): PipelineStatsRecord[] {
  const newest = new Map<string, PipelineStatsRecord>();
  for (const record of stats) {
    const seen = newest.get(record.pipeline);
    if (seen === undefined || record.epoch >= seen.epoch) newest.set(record.pipeline, record);
  }
  return [...newest.values()];
}

async function writeOne(zk: ZkClient, record: PipelineStatsRecord): Promise<void> {
  const path = zkPaths.stat(record.pipeline);
  const data = JSON.stringify(record);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const current = await readRecord<PipelineStatsRecord>(zk, path);
    if (current !== undefined && current.value.epoch > record.epoch) return;
    try {
      if (current === undefined) await zk.create(path, data);
      else await zk.setData(path, data, current.version);
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS') && !isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION')) throw error;
    }
  }
}
