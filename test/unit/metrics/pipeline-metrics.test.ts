import { describe, expect, it } from 'vitest';
import type { Batch, TargetChange } from '../../../shared/model/change.ts';
import { FerryMetrics } from '../../../shared/metrics/registry.ts';
import { PipelineMetrics, type PipeTotals } from '../../../node/metrics/pipeline-metrics.ts';
import type { PipelineStatus } from '../../../node/pipeline/progress.ts';
import { transformBatch } from '../../../node/pipeline/load-loop.ts';
import { compileTableMapping } from '../../../shared/model/table-mapping.ts';
import { sampleValue } from '../../support/prometheus-text.ts';

/** The pipeline series computed from small fakes of a runner's status and its batches. */

function fakeRunner(status: Partial<PipelineStatus> = {}) {
  const initial: PipelineStatus = { state: 'running', lagMs: 0, applyDelayMs: 0, rowsPerSecond: 0, rowsApplied: 0, transactionsApplied: 0, ...status };
  const state = { status: initial, queued: undefined as number | undefined, pipe: undefined as PipeTotals | undefined };
  return { state, source: { status: () => state.status, queuedRows: () => state.queued, pipeTotals: () => state.pipe } };
}

const change = (kind: TargetChange['kind']): TargetChange => ({ schema: 's', table: 't', kind, ...(kind === 'delete' ? {} : { after: { id: 1 } }), ...(kind === 'insert' ? {} : { before: { id: 1 } }) });

function batch(changes: TargetChange[], openedAt = Date.now()): Batch {
  return { end: { file: 'b.000001', pos: 4 }, changes, transactions: 1, sourceTimestamp: 0, openedAt };
}

describe('pipeline metrics', () => {
  it('counts rows by op and batches as they commit, and observes batch seconds', async () => {
    const metrics = new FerryMetrics();
    const runner = fakeRunner();
    const recorder = new PipelineMetrics(metrics).attach('p1', 'whole', runner.source);
    // Present at 0 before the first commit, so that increase() sees a pipeline that never commits.
    const fresh = await metrics.text();
    expect(sampleValue(fresh, 'ferry_pipeline_batches_total', { pipeline: 'p1' })).toBe(0);
    expect(sampleValue(fresh, 'ferry_pipeline_rows_applied_total', { pipeline: 'p1', op: 'delete' })).toBe(0);
    recorder.committed(batch([change('insert'), change('insert'), change('update')]));
    recorder.committed({ ...batch([]), ops: { insert: 0, update: 0, delete: 4 } });
    const text = await metrics.text();
    expect(sampleValue(text, 'ferry_pipeline_rows_applied_total', { pipeline: 'p1', op: 'insert' })).toBe(2);
    expect(sampleValue(text, 'ferry_pipeline_rows_applied_total', { pipeline: 'p1', op: 'update' })).toBe(1);
    expect(sampleValue(text, 'ferry_pipeline_rows_applied_total', { pipeline: 'p1', op: 'delete' })).toBe(4);
    expect(sampleValue(text, 'ferry_pipeline_batches_total', { pipeline: 'p1' })).toBe(2);
    expect(sampleValue(text, 'ferry_pipeline_batch_seconds_count', { pipeline: 'p1' })).toBe(2);
  });

  it('reads lag, queue and a one-hot state from the runner at every scrape', async () => {
    const metrics = new FerryMetrics();
    const runner = fakeRunner({ lagMs: 1500 });
    runner.state.queued = 7;
    new PipelineMetrics(metrics).attach('p1', 'whole', runner.source);
    let text = await metrics.text();
    expect(sampleValue(text, 'ferry_pipeline_lag_seconds', { pipeline: 'p1' })).toBe(1.5);
    expect(sampleValue(text, 'ferry_pipeline_queue_rows', { pipeline: 'p1' })).toBe(7);
    expect(sampleValue(text, 'ferry_pipeline_state', { pipeline: 'p1', side: 'whole', state: 'running' })).toBe(1);
    expect(sampleValue(text, 'ferry_pipeline_state', { pipeline: 'p1', side: 'whole', state: 'retrying' })).toBe(0);
    // Nothing applies: the runner's lag grows, and so does the series.
    runner.state.status = { ...runner.state.status, state: 'retrying', lagMs: 9000 };
    text = await metrics.text();
    expect(sampleValue(text, 'ferry_pipeline_lag_seconds', { pipeline: 'p1' })).toBe(9);
    expect(sampleValue(text, 'ferry_pipeline_state', { pipeline: 'p1', side: 'whole', state: 'running' })).toBe(0);
    expect(sampleValue(text, 'ferry_pipeline_state', { pipeline: 'p1', side: 'whole', state: 'retrying' })).toBe(1);
  });

  it('a split pipeline: lag from the load side only, the queue from the select side only', async () => {
    const metrics = new FerryMetrics();
    const pipelines = new PipelineMetrics(metrics);
    const select = fakeRunner({ lagMs: 4000 });
    select.state.queued = 3;
    const load = fakeRunner({ lagMs: 2000 });
    load.state.queued = 99;
    pipelines.attach('split', 'select', select.source);
    const text = await metrics.text();
    expect(sampleValue(text, 'ferry_pipeline_lag_seconds', { pipeline: 'split' })).toBeUndefined();
    expect(sampleValue(text, 'ferry_pipeline_queue_rows', { pipeline: 'split' })).toBe(3);
    const other = new FerryMetrics();
    new PipelineMetrics(other).attach('split', 'load', load.source);
    const loadText = await other.text();
    expect(sampleValue(loadText, 'ferry_pipeline_lag_seconds', { pipeline: 'split' })).toBe(2);
    expect(sampleValue(loadText, 'ferry_pipeline_queue_rows', { pipeline: 'split' })).toBeUndefined();
    expect(sampleValue(loadText, 'ferry_pipeline_state', { pipeline: 'split', side: 'load', state: 'running' })).toBe(1);
  });

  it('counts errors by code; a detached runner leaves its gauges, its counters stay', async () => {
    const metrics = new FerryMetrics();
    const recorder = new PipelineMetrics(metrics).attach('p1', 'whole', fakeRunner({ lagMs: 1000 }).source);
    recorder.failed('FERRY_ERR_TARGET_UNREACHABLE');
    recorder.failed('FERRY_ERR_TARGET_UNREACHABLE');
    recorder.committed(batch([change('insert')]));
    recorder.detach();
    const text = await metrics.text();
    expect(sampleValue(text, 'ferry_pipeline_errors_total', { pipeline: 'p1', code: 'FERRY_ERR_TARGET_UNREACHABLE' })).toBe(2);
    expect(sampleValue(text, 'ferry_pipeline_lag_seconds', { pipeline: 'p1' })).toBeUndefined();
    expect(sampleValue(text, 'ferry_pipeline_state', { pipeline: 'p1', side: 'whole', state: 'running' })).toBeUndefined();
    expect(sampleValue(text, 'ferry_pipeline_rows_applied_total', { pipeline: 'p1', op: 'insert' })).toBe(1);
  });

  it('adds what the pipe carried since the last scrape, a new connection counting from zero', async () => {
    const metrics = new FerryMetrics();
    const load = fakeRunner({ pipe: { bytesPerSecond: 0, wireBytesPerRow: null, compressionRatio: 2.5, rttMs: null, inFlightBatches: 0 } });
    new PipelineMetrics(metrics).attach('split', 'load', load.source);
    load.state.pipe = { wireBytes: 100, bodyBytes: 250 };
    await metrics.text();
    load.state.pipe = { wireBytes: 160, bodyBytes: 400 };
    let text = await metrics.text();
    expect(sampleValue(text, 'ferry_pipe_bytes_total', { pipeline: 'split', encoding: 'wire' })).toBe(160);
    expect(sampleValue(text, 'ferry_pipe_bytes_total', { pipeline: 'split', encoding: 'raw' })).toBe(400);
    expect(sampleValue(text, 'ferry_pipe_compression_ratio', { pipeline: 'split' })).toBe(2.5);
    load.state.pipe = { wireBytes: 40, bodyBytes: 90 };
    text = await metrics.text();
    expect(sampleValue(text, 'ferry_pipe_bytes_total', { pipeline: 'split', encoding: 'wire' })).toBe(200);
    expect(sampleValue(text, 'ferry_pipe_bytes_total', { pipeline: 'split', encoding: 'raw' })).toBe(490);
  });

  it('Transform counts a batch\'s ops from Select\'s changes', () => {
    const selected = { seq: 1, end: { file: 'b', pos: 4 }, sourceTimestamp: 0, openedAt: 0, transactions: [
      { end: { file: 'b', pos: 2 }, timestamp: 0, changes: [{ schema: 's', table: 't', kind: 'insert', after: { id: 1 }, columns: [] }, { schema: 's', table: 't', kind: 'delete', before: { id: 2 }, columns: [] }] },
      { end: { file: 'b', pos: 4 }, timestamp: 0, changes: [{ schema: 's', table: 't', kind: 'update', before: { id: 1 }, after: { id: 1 }, columns: [] }] },
    ] };
    const built = transformBatch(selected as never, compileTableMapping(['s.t']));
    expect(built.ops).toEqual({ insert: 1, update: 1, delete: 1 });
  });
});
