import { describe, expect, it } from 'vitest';
import type { PipelineStatsRecord } from '../../../shared/cluster/model.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { writeStats } from '../../../manager/stats-writer.ts';

/** A ZooKeeper of plain maps that counts reads and writes. */
function countingZk() {
  const nodes = new Map<string, { data: Buffer; version: number }>();
  const counts = { reads: 0, writes: 0 };
  const zk = {
    getData: (path: string) => {
      counts.reads += 1;
      const node = nodes.get(path);
      if (node === undefined) return Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { operation: 'getData', path, detail: 'no node' }));
      return Promise.resolve({ data: node.data, version: node.version });
    },
    create: (path: string, data: string) => {
      counts.writes += 1;
      nodes.set(path, { data: Buffer.from(data), version: 0 });
      return Promise.resolve(path);
    },
    setData: (path: string, data: string) => {
      counts.writes += 1;
      const version = (nodes.get(path)?.version ?? 0) + 1;
      nodes.set(path, { data: Buffer.from(data), version });
      return Promise.resolve(version);
    },
  };
  const stored = () => [...nodes.values()].map((n) => JSON.parse(n.data.toString()) as PipelineStatsRecord);
  return { zk: zk as unknown as ZkClient, counts, stored };
}

const record = (pipeline: string, epoch: number, rowsPerSecond: number): PipelineStatsRecord =>
  ({ pipeline, node: 'n1', epoch, state: 'running', position: null, lagMs: 0, rowsPerSecond, at: '2026-12-07T00:00:00Z' });

describe('stats writer', () => {
  it('writes one record per pipeline, the one of the highest epoch, however many a report repeats', async () => {
    const { zk, counts, stored } = countingZk();
    const stats = Array.from({ length: 5000 }, (_, i) => record(`p${i % 3}`, i % 3 === 0 && i > 2500 ? 1 : 2, i));
    await writeStats(zk, stats);
    expect(counts.writes).toBe(3);
    expect(counts.reads).toBe(3);
    const byPipeline = Object.fromEntries(stored().map((r) => [r.pipeline, r]));
    expect(byPipeline.p0).toMatchObject({ epoch: 2, rowsPerSecond: 2499 });
    expect(byPipeline.p1).toMatchObject({ epoch: 2, rowsPerSecond: 4999 });
    expect(byPipeline.p2).toMatchObject({ epoch: 2, rowsPerSecond: 4997 });
  });
});
