import type { Batch, ChangeKind } from '../../shared/model/change.ts';
import type { FerryMetrics } from '../../shared/metrics/registry.ts';
import { PIPELINE_STATES } from '../../shared/metrics/series.ts';
import type { PipelineStatus } from '../pipeline/progress.ts';
import type { PipelineRole } from '../pipeline/pipeline-role.ts';

/** Cumulative payload bytes of a pipe connection (node/pipe/pipe-stats.ts ReceivedCounts). */
export interface PipeTotals {
  wireBytes: number;
  bodyBytes: number;
}

/** What the series of one pipeline are read from at a scrape: its runner. */
export interface PipelineSource {
  status(): PipelineStatus;
  /** Rows waiting in the select side's queue; undefined while no attempt streams. */
  queuedRows(): number | undefined;
  /** A load side's pipe connection: its totals so far; undefined without one. */
  pipeTotals(): PipeTotals | undefined;
}

/** One running pipeline's recorder, for its runner. */
export interface PipelineRecorder {
  committed(batch: Batch): void;
  failed(code: string): void;
  /** The runner ended: its gauges go; its counters stay at their last value. */
  detach(): void;
}

type Side = PipelineRole['side'];

interface Attached {
  pipeline: string;
  side: Side;
  source: PipelineSource;
  /** The pipe totals counted so far on the current connection. */
  pipeSeen: PipeTotals;
}

const KINDS: readonly ChangeKind[] = ['insert', 'update', 'delete'];

/**
 * Feeds the pipeline series (shared/metrics/series.ts) from the runners of this process: the
 * counters as batches commit and attempts fail, the gauges from each runner's status at every
 * scrape. A split pipeline's sides each export what they own: lag, rows, batches and the pipe
 * from the load side, the queue from the select side, state and errors from both (state with
 * its side), so that sums in Prometheus never count a row twice.
 */
export class PipelineMetrics {
  private readonly attached = new Set<Attached>();

  constructor(private readonly metrics: FerryMetrics) {
    metrics.onScrape(() => this.refresh());
  }

  attach(pipeline: string, side: Side, source: PipelineSource): PipelineRecorder {
    const entry: Attached = { pipeline, side, source, pipeSeen: { wireBytes: 0, bodyBytes: 0 } };
    this.attached.add(entry);
    const { series } = this.metrics;
    // Present from the start at 0 where this side commits: increase() then sees a pipeline
    // that never commits anything (the no-progress alert), not a missing series.
    if (side !== 'select') {
      series.batches.inc({ pipeline }, 0);
      for (const op of KINDS) series.rowsApplied.inc({ pipeline, op }, 0);
    }
    return {
      committed: (batch) => {
        const ops = batch.ops ?? countOps(batch);
        for (const op of KINDS) if (ops[op] > 0) series.rowsApplied.inc({ pipeline, op }, ops[op]);
        series.batches.inc({ pipeline });
        series.batchSeconds.observe({ pipeline }, Math.max(0, Date.now() - batch.openedAt) / 1000);
      },
      failed: (code) => series.errors.inc({ pipeline, code }),
      detach: () => {
        this.refreshPipe(entry);
        this.attached.delete(entry);
      },
    };
  }

  /** Gauges from the attached runners only: a pipeline that left this process leaves them. */
  private refresh(): void {
    const { series } = this.metrics;
    series.lag.reset();
    series.queueRows.reset();
    series.state.reset();
    series.pipeCompression.reset();
    for (const entry of this.attached) {
      const { pipeline, side, source } = entry;
      const status = source.status();
      for (const state of PIPELINE_STATES) series.state.set({ pipeline, side, state }, state === status.state ? 1 : 0);
      if (side !== 'select') series.lag.set({ pipeline }, status.lagMs / 1000);
      const queued = side !== 'load' ? source.queuedRows() : undefined;
      if (queued !== undefined) series.queueRows.set({ pipeline }, queued);
      if (status.pipe?.compressionRatio != null) series.pipeCompression.set({ pipeline }, status.pipe.compressionRatio);
      this.refreshPipe(entry);
    }
  }

  /** Adds what the pipe carried since the last look; a new connection counts from its zero. */
  private refreshPipe(entry: Attached): void {
    const totals = entry.source.pipeTotals();
    if (totals === undefined) return;
    if (totals.wireBytes < entry.pipeSeen.wireBytes || totals.bodyBytes < entry.pipeSeen.bodyBytes) entry.pipeSeen = { wireBytes: 0, bodyBytes: 0 };
    const { pipeline } = entry;
    const wire = totals.wireBytes - entry.pipeSeen.wireBytes;
    const raw = totals.bodyBytes - entry.pipeSeen.bodyBytes;
    if (wire > 0) this.metrics.series.pipeBytes.inc({ pipeline, encoding: 'wire' }, wire);
    if (raw > 0) this.metrics.series.pipeBytes.inc({ pipeline, encoding: 'raw' }, raw);
    entry.pipeSeen = { ...totals };
  }
}

/** Row changes by kind, where the batch does not carry them (batches built before Batch.ops). */
export function countOps(batch: Batch): Record<ChangeKind, number> {
  const ops = { insert: 0, update: 0, delete: 0 };
  for (const change of batch.changes) ops[change.kind]++;
  return ops;
}
