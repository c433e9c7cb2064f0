import { FerryError } from '../../shared/errors/index.ts';
import { gtidBehind } from '../../shared/cluster/gtid-behind.ts';
import type { WireKey } from '../../shared/cluster/verify-jobs.ts';
import { fromWire } from '../verify/wire-keys.ts';
import type { SourcePosition, TableRef } from '../../shared/model/change.ts';

/*
 * Where an online copy of a pipeline's tables stands (issue 15: initialCopy, resync). It is
 * committed in the target with every batch, in the checkpoint row (checkpoints.copy_state),
 * so a copy cut short by a crash resumes after its last committed chunk, never from zero and
 * never past a chunk that did not land.
 *
 * The copy's order: the replicated tables sorted by schema and table name, each by its key in
 * chunks. The binlog stream then starts at the copy's snapshot position (the checkpoint) and
 * replays what the source did meanwhile; until it reaches `until`, Load replaces rows that
 * collide on a unique key (node/load/statements.ts), since copied rows can be newer than the
 * events being replayed.
 */

export interface CopyState {
  /** initial: a new pipeline (initialCopy); resync: the binlog at the checkpoint was purged. */
  mode: 'initial' | 'resync';
  /** When the copy began (ms since the epoch). */
  startedAt: number;
  /** Replicated tables when the copy began, and the source's estimate of their rows (TABLE_ROWS). */
  tables: number;
  estimatedRows: number;
  /** Tables finished. */
  tablesDone: number;
  /** Rows copied so far, all tables. */
  rows: number;
  /** The table being copied and the key of its last copied row (as verify's keys travel); absent before its first chunk. */
  table?: TableRef;
  after?: WireKey;
  /** The table's last chunk is copied: the copy goes on with the next table. */
  tableFinished?: boolean;
  /** Set once every table is copied: the source's binlog end read after the last chunk. */
  until?: SourcePosition;
}

/** The state as the checkpoint row stores it. */
export function copyStateText(state: CopyState): string {
  return JSON.stringify(state);
}

/** A copy state received from elsewhere (the pipe), checked; the problem in words when it is none. */
export function checkCopyState(value: unknown): CopyState | string {
  if (typeof value !== 'object' || value === null) return 'a copy state must be an object';
  const state = value as Partial<CopyState>;
  if (state.mode !== 'initial' && state.mode !== 'resync') return "a copy state's mode must be 'initial' or 'resync'";
  for (const field of ['startedAt', 'tables', 'estimatedRows', 'tablesDone', 'rows'] as const) {
    if (typeof state[field] !== 'number') return `a copy state's ${field} must be a number`;
  }
  if (state.after !== undefined && fromWire(state.after) === undefined) return "a copy state's after must be a list of numbers, strings and {hex} (a key)";
  return state as CopyState;
}

/** The checkpoint row's copy_state; undefined for NULL. A row Ferry cannot read is an internal error, never ignored. */
export function parseCopyState(text: string | null | undefined): CopyState | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    const value = JSON.parse(text) as CopyState;
    if ((value.mode === 'initial' || value.mode === 'resync') && typeof value.rows === 'number') return value;
  } catch {
    // reported below
  }
  throw new FerryError('FERRY_ERR_INTERNAL', { detail: `the checkpoint's copy_state is not a copy state Ferry wrote: ${text.slice(0, 200)}` });
}

/**
 * True once the copy has listed its tables (or copied anything): a new pipeline's claim pins
 * a copy state before the select side lists them, and its 0 tables are no figure to show.
 */
export function copyListed(state: CopyState): boolean {
  return state.tables > 0 || state.rows > 0 || state.until !== undefined;
}

/** A new copy, before its first chunk. */
export function newCopyState(mode: CopyState['mode'], tables: number, estimatedRows: number, now = Date.now()): CopyState {
  return { mode, startedAt: now, tables, estimatedRows, tablesDone: 0, rows: 0 };
}

/**
 * Whether the stream has reached `until`: every transaction up to it applied. By GTID when both
 * positions have one (per domain), else by file and offset (binlog files are numbered in order).
 */
export function positionReached(position: SourcePosition, until: SourcePosition): boolean {
  if (position.gtidSet !== undefined && until.gtidSet !== undefined) {
    return gtidBehind(position.gtidSet, until.gtidSet).transactions === 0;
  }
  if (position.file === until.file) return position.pos >= until.pos;
  return position.file > until.file;
}
