import type { ConflictRecord } from '../../shared/model/conflict.ts';

/** Conflicts a node reports per pipeline: the newest this many (the API and the console list them). */
export const RECENT_CONFLICTS = 20;

/** What a pipeline's status carries of its conflicts: how many in all, and the newest, newest first. */
export interface ConflictsSummary {
  total: number;
  recent: ConflictRecord[];
}

/**
 * A pipeline's conflicts as its load side knows them: read from the target's conflicts table at
 * the start of each attempt (so a restart, or a move to another node, shows what was recorded
 * before), then kept up to date from each committed batch's records without reading again.
 */
export class ConflictTracker {
  private summary: ConflictsSummary | undefined;

  /** What the target's conflicts table held when the attempt began. */
  loaded(found: ConflictsSummary): void {
    this.summary = { total: found.total, recent: found.recent.slice(0, RECENT_CONFLICTS) };
  }

  /** A committed batch's conflicts, in the order they were found. */
  recorded(records: readonly ConflictRecord[]): void {
    const before = this.summary ?? { total: 0, recent: [] };
    this.summary = { total: before.total + records.length, recent: [...records].reverse().concat(before.recent).slice(0, RECENT_CONFLICTS) };
  }

  /** Undefined until the table was read or a conflict recorded (a pipeline without detection). */
  snapshot(): ConflictsSummary | undefined {
    return this.summary === undefined ? undefined : { total: this.summary.total, recent: [...this.summary.recent] };
  }
}
