/**
 * Conflicts: what a bidirectional pipeline (or a one-way one with detectConflicts) found when
 * the target's row was not what the source's change expected. Plain data (JSON), recorded in
 * the target's `<systemSchema>.conflicts` in the batch's own transaction, reported in the
 * load side's stats and listed by GET /api/v1/channels/{name}/conflicts.
 */

/** How two versions of a row are settled; `source-wins` is a one-way pipeline's detectConflicts. */
export type ConflictPolicy = 'primary-wins' | 'newer-wins' | 'stop' | 'source-wins';

/**
 * What was wrong: an update or delete whose before image the target's row does not match
 * (`mismatch`), one whose row the target does not hold (`missing`), an insert that meets a
 * different row under its key (`exists`) or under another unique key (`unique-key`).
 */
export type ConflictKind = 'mismatch' | 'missing' | 'exists' | 'unique-key';

/** What Load did: wrote the source's version (`applied`), kept the target's (`skipped`), or stopped. */
export type ConflictDecision = 'applied' | 'skipped' | 'stopped';

/** A row image as JSON: Buffers as {hex}, bigints as strings (node/verify/wire-keys.ts's rules, per column). */
export type WireRow = Record<string, string | number | null | { hex: string }>;

export interface ConflictRecord {
  pipeline: string;
  /** Target table, 'schema.table'. */
  table: string;
  /** The row's key columns and values. */
  key: WireRow;
  kind: ConflictKind;
  /** The source's version: the change's final image; null for a delete. */
  incoming: WireRow | null;
  /** The target's row when the conflict was found; null when it held none. */
  current: WireRow | null;
  policy: ConflictPolicy;
  decision: ConflictDecision;
  /** Source position of the batch (GTID set, or file:pos). */
  position: string;
  /** When it was found (target clock, ISO 8601). */
  at: string;
}
