import type { CopyProgressRecord, PipelineStatsRecord } from '../../shared/cluster/model.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import type { CopyProgress, PipelineStatus } from '../pipeline/progress.ts';

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
  if (status?.copy) record.copy = copyRecord(status.copy);
  const error = input.error ?? status?.error;
  // Bounded: a manager refuses a report whose fields exceed its schema, losing every record in it.
  if (error) record.error = { code: error.code, message: error.message.slice(0, MAX_MESSAGE) };
  return record;
}

const MAX_TABLE = 200;
const atLeastZero = (value: number): number => (Number.isFinite(value) ? Math.max(0, value) : 0);

/**
 * The copy's figures within the manager's schema (manager/api/schemas.ts): a manager refuses
 * a whole report when one field is out of range, so nothing here may be negative or unbounded.
 */
function copyRecord(copy: CopyProgress): CopyProgressRecord {
  return {
    mode: copy.mode,
    phase: copy.phase,
    ...(copy.table === undefined ? {} : { table: copy.table.slice(0, MAX_TABLE) }),
    tablesDone: atLeastZero(copy.tablesDone),
    tables: atLeastZero(copy.tables),
    rowsCopied: atLeastZero(copy.rowsCopied),
    estimatedRows: atLeastZero(copy.estimatedRows),
    percent: copy.percent === null ? null : Math.min(100, atLeastZero(copy.percent)),
    rowsPerSecond: atLeastZero(copy.rowsPerSecond),
    etaSeconds: copy.etaSeconds === null ? null : atLeastZero(copy.etaSeconds),
    startedAt: atLeastZero(copy.startedAt),
  };
}
