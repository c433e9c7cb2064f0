import type { ConflictsStatsRecord, CopyProgressRecord, PipelineStatsRecord } from '../../shared/cluster/model.ts';
import type { ConflictRecord, WireRow } from '../../shared/model/conflict.ts';
import type { ConflictsSummary } from '../pipeline/conflict-tracker.ts';
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
  if (status?.conflicts) record.conflicts = conflictsRecord(status.conflicts);
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

/** Conflicts a record carries: the newest 20, values cut short (the manager's schema bounds them). */
const RECENT_MAX = 20;
/** Characters of a value (text, or binary as hex) shown in stats; the target's table keeps it whole. */
const VALUE_CHARS = 200;
/** Columns of an image shown; the rest are counted in a column named '…'. */
const COLUMNS_SHOWN = 100;
const MAX_POSITION = 2_000;

/**
 * Within the manager's schema (manager/api/conflict-schemas.ts) and small: the record goes to
 * ZooKeeper every 2 s, so 20 conflicts of wide rows with long texts must not make it megabytes.
 */
export function conflictsRecord(summary: ConflictsSummary): ConflictsStatsRecord {
  return { total: atLeastZero(summary.total), recent: summary.recent.slice(0, RECENT_MAX).map(boundedConflict) };
}

function boundedConflict(conflict: ConflictRecord): ConflictRecord {
  return {
    ...conflict,
    table: conflict.table.slice(0, MAX_TABLE),
    key: boundedRow(conflict.key),
    incoming: conflict.incoming === null ? null : boundedRow(conflict.incoming),
    current: conflict.current === null ? null : boundedRow(conflict.current),
    position: conflict.position.slice(0, MAX_POSITION),
    at: conflict.at.slice(0, 40),
  };
}

function boundedRow(row: WireRow): WireRow {
  const columns = Object.keys(row);
  const out: WireRow = {};
  for (const column of columns.slice(0, COLUMNS_SHOWN)) {
    const value = row[column]!;
    const name = column.slice(0, 64);
    if (typeof value === 'string') out[name] = cut(value);
    else if (value !== null && typeof value === 'object') out[name] = { hex: cut(value.hex) };
    else out[name] = value;
  }
  if (columns.length > COLUMNS_SHOWN) out['…'] = `${columns.length - COLUMNS_SHOWN} more columns`;
  return out;
}

function cut(text: string): string {
  return text.length <= VALUE_CHARS ? text : `${text.slice(0, VALUE_CHARS)}…`;
}
