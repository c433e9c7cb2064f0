import type { PipelineStatsRecord } from '../../shared/cluster/model.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import type { PipelineStatus } from '../pipeline/progress.ts';

/** A source position as one string for display: the GTID set when known, else file:pos. */
export function positionText(position: SourcePosition | undefined): string | null {
  if (!position) return null;
  if (position.gtidSet) return position.gtidSet;
  return position.file ? `${position.file}:${position.pos}` : null;
}

const MAX_MESSAGE = 2_000;

export interface StatsInput {
  pipeline: string;
  node: string;
  epoch: number;
  /** Absent when no runner ever started (the assignment could not be resolved). */
  status?: PipelineStatus;
  /** Overrides the runner's state, e.g. 'failed' for an assignment that cannot be resolved. */
  state?: string;
  error?: { code: string; message: string };
  now: Date;
}

/** The record a node reports to a manager for one pipeline. */
export function statsRecord(input: StatsInput): PipelineStatsRecord {
  const { status } = input;
  const record: PipelineStatsRecord = {
    pipeline: input.pipeline,
    node: input.node,
    epoch: input.epoch,
    state: input.state ?? status?.state ?? 'failed',
    position: positionText(status?.position),
    lagMs: status ? status.lagMs : null,
    rowsPerSecond: status?.rowsPerSecond ?? 0,
    at: input.now.toISOString(),
  };
  if (status?.pipe) record.pipe = status.pipe;
  const error = input.error ?? status?.error;
  // Bounded: a manager refuses a report whose fields exceed its schema, losing every record in it.
  if (error) record.error = { code: error.code, message: error.message.slice(0, MAX_MESSAGE) };
  return record;
}
