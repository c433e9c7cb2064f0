import { Type, type Static } from '@sinclair/typebox';
import { NAME_PATTERN } from '../../shared/cluster/model.ts';
import type { ConflictRecord } from '../../shared/model/conflict.ts';

/**
 * A conflict as the stats report carries it and the API answers it (shared/model/conflict.ts).
 * Bounded: a node cuts long values short (node/cluster/stats-record.ts) and a manager refuses
 * a report beyond these bounds.
 */

const strict = { additionalProperties: false } as const;

export const CONFLICT_VALUE_MAX = 1_000;
export const CONFLICT_COLUMNS_MAX = 101;

const WireValue = Type.Union([
  Type.String({ maxLength: CONFLICT_VALUE_MAX }),
  Type.Number(),
  Type.Null(),
  Type.Object({ hex: Type.String({ maxLength: CONFLICT_VALUE_MAX }) }, strict),
], { description: "A column's value: text (long values end in '…'), a number, null, or binary as {hex}." });

const WireRow = (description: string) => Type.Record(Type.String({ maxLength: 64 }), WireValue, { maxProperties: CONFLICT_COLUMNS_MAX, description });

export const ConflictRecordSchema = Type.Object({
  pipeline: Type.String({ pattern: NAME_PATTERN, description: 'The pipeline that found it (its target holds the row).' }),
  table: Type.String({ maxLength: 300, description: "Target table, 'schema.table'." }),
  key: WireRow("The row's key columns and values."),
  kind: Type.Union([Type.Literal('mismatch'), Type.Literal('missing'), Type.Literal('exists'), Type.Literal('unique-key')], {
    description: "mismatch: the target's row is not the change's before image; missing: the target has no such row; exists: an insert met a different row under its key; unique-key: under another unique key.",
  }),
  incoming: Type.Union([WireRow("The source's version (the change's final image)."), Type.Null()], { description: "The source's version; null for a delete." }),
  current: Type.Union([WireRow("The target's row when the conflict was found."), Type.Null()], { description: "The target's row; null when it held none." }),
  policy: Type.Union([Type.Literal('primary-wins'), Type.Literal('newer-wins'), Type.Literal('stop'), Type.Literal('source-wins')], { description: 'The policy that settled it (source-wins: a one-way pipeline with detectConflicts).' }),
  decision: Type.Union([Type.Literal('applied'), Type.Literal('skipped'), Type.Literal('stopped')], { description: "applied: the source's version was written; skipped: the target's kept; stopped: the pipeline stopped (FERRY_ERR_CONFLICT)." }),
  position: Type.String({ maxLength: 2_000, description: 'Source position of the batch.' }),
  at: Type.String({ maxLength: 40, description: 'When it was found (target clock, ISO 8601).' }),
}, { ...strict, description: 'A conflict: the target\'s row was not what the source\'s change expected.' });

export const ConflictsStats = Type.Object({
  total: Type.Integer({ minimum: 0, description: 'Conflicts recorded for the pipeline in the target\'s conflicts table.' }),
  recent: Type.Array(ConflictRecordSchema, { maxItems: 20, description: 'The newest, newest first.' }),
}, { ...strict, description: 'Conflicts of a pipeline with detection on (bidirectional, detectConflicts), as its load node knows them.' });

export const ConflictsQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'At most this many conflicts, 1 to 40. Default 20.' })),
}, strict);

export const ChannelConflicts = Type.Object({
  channel: Type.String(),
  total: Type.Integer({ minimum: 0, description: 'Conflicts recorded by all its pipelines.' }),
  pipelines: Type.Array(Type.Object({
    pipeline: Type.String(),
    total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null: no node has reported conflicts for it (detection off, or not started yet).' }),
    reportedAt: Type.Union([Type.String(), Type.Null()], { description: 'When its node reported them (node clock).' }),
  }, strict)),
  conflicts: Type.Array(ConflictRecordSchema, { description: "Both pipelines' newest conflicts, newest first." }),
}, { ...strict, $id: 'ChannelConflicts', description: "A channel's conflicts, as its pipelines' load nodes last reported them (each keeps its newest 20; the target's <systemSchema>.conflicts holds them all)." });

// The wire schema and the record type must not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const conflictMatchesRecord: Same<Static<typeof ConflictRecordSchema>, ConflictRecord> = true;
void conflictMatchesRecord;
