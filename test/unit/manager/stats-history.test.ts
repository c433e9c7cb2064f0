import { describe, expect, it } from 'vitest';
import type { PipelineStatsRecord } from '../../../shared/cluster/model.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { appendHistory, appendSample, HISTORY_LIMITS, type LastSamples, type PipelineHistoryRecord } from '../../../manager/stats-history.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const report = (atMs: number, epoch = 1, lagMs: number | null = 120.4, rowsPerSecond = 1000.06): PipelineStatsRecord =>
  ({ pipeline: 'p1', node: 'n1', epoch, state: 'running', position: null, lagMs, rowsPerSecond, at: new Date(atMs).toISOString() });

const grow = (reports: PipelineStatsRecord[], limits = HISTORY_LIMITS) => {
  let history: PipelineHistoryRecord | undefined;
  for (const r of reports) history = appendSample(history, r, limits) ?? history;
  return history!;
};

describe('pipeline figure history', () => {
  it('keeps one sample per 5 s, rounded, oldest first', () => {
    const history = grow([report(T0), report(T0 + 2_000), report(T0 + 5_000), report(T0 + 7_000), report(T0 + 10_500)]);
    expect(history.samples).toEqual([[T0, 120, 1000.1], [T0 + 5_000, 120, 1000.1], [T0 + 10_500, 120, 1000.1]]);
    expect(appendSample(history, report(T0 + 11_000))).toBeUndefined();
  });

  it('is bounded by its window and by bytes', () => {
    const reports = Array.from({ length: 2_000 }, (_, i) => report(T0 + i * 5_000, 1, i, i * 3.3));
    const history = grow(reports);
    expect(history.samples).toHaveLength(361);
    expect(history.samples[0]![0]).toBe(T0 + 1_999 * 5_000 - 30 * 60_000);
    const small = grow(reports, { ...HISTORY_LIMITS, maxBytes: 2_000 });
    expect(Buffer.byteLength(JSON.stringify(small))).toBeLessThanOrEqual(2_000);
    expect(small.samples.length).toBeGreaterThan(40);
    expect(small.samples.at(-1)![0]).toBe(T0 + 1_999 * 5_000);
  });

  it('ignores older epochs; a new epoch from a clock behind replaces what it contradicts', () => {
    const history = grow([report(T0, 2), report(T0 + 5_000, 2), report(T0 + 10_000, 2)]);
    expect(appendSample(history, report(T0 + 60_000, 1))).toBeUndefined();
    const moved = appendSample(history, report(T0 + 6_000, 3, null))!;
    expect(moved.samples).toEqual([[T0, 120, 1000.1], [T0 + 5_000, 120, 1000.1], [T0 + 6_000, null, 1000.1]]);
    expect(moved.epoch).toBe(3);
  });

  it('reads the stored history only when a report may add a sample, given what this manager last saw', async () => {
    const nodes = new Map<string, { data: string; version: number }>();
    let reads = 0;
    const zk = {
      getData: (path: string) => {
        reads += 1;
        const node = nodes.get(path);
        if (node === undefined) return Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { operation: 'getData', path, detail: 'no node' }));
        return Promise.resolve({ data: Buffer.from(node.data), version: node.version });
      },
      create: (path: string, data: string) => Promise.resolve(void nodes.set(path, { data, version: 0 })),
      setData: (path: string, data: string) => Promise.resolve(void nodes.set(path, { data, version: nodes.get(path)!.version + 1 })),
    } as unknown as ZkClient;
    const seen: LastSamples = new Map();
    for (let i = 0; i <= 10; i++) await appendHistory(zk, [report(T0 + i * 1_000)], HISTORY_LIMITS, seen);
    // Reports at 0, 5 and 10 s add samples; the eight in between are dropped unread.
    expect(reads).toBe(3);
    expect((JSON.parse(nodes.get('/ferry/v1/history/p1')!.data) as PipelineHistoryRecord).samples.map((sample) => sample[0] - T0)).toEqual([0, 5_000, 10_000]);
    // A new epoch is always decided on the stored record.
    await appendHistory(zk, [report(T0 + 10_500, 2)], HISTORY_LIMITS, seen);
    expect(reads).toBe(4);
  });
});
