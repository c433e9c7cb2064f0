import { Type, type Static } from '@sinclair/typebox';
import { DataSourceSpec, NAME_PATTERN, TokenRole, type PipelineStatsRecord } from '../../shared/cluster/model.ts';
import { ConflictsStats } from './conflict-schemas.ts';

/**
 * Schemas of the API's own bodies and parameters (the configuration bodies, DataSourceSpec
 * and ChannelSpec, come from shared/cluster/model.ts). Unknown keys are refused everywhere.
 */

const strict = { additionalProperties: false } as const;
const Name = (description: string) => Type.String({ pattern: NAME_PATTERN, description });

export const GroupKeyParams = Type.Object({ groupKey: Name('The data source.') }, strict);
export const NameParams = Type.Object({ name: Name('The channel.') }, strict);
export const TokenNameParams = Type.Object({ name: Name('The token name.') }, strict);
export const ActionParams = Type.Object({
  name: Name('The channel.'),
  action: Type.Union([Type.Literal('start'), Type.Literal('pause'), Type.Literal('stop')], { description: 'start: run; pause: hold in place; stop: end.' }),
}, strict);

/** `?version=N`: the same as `If-Match: N`. Digits as text: query strings are not coerced. */
export const VersionQuery = Type.Object({
  version: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', description: 'Only apply when the stored version is this one (409 otherwise). Same as the If-Match header.' })),
}, strict);

/**
 * PUT body of a data source: a full replacement, except that `password` and `active` may be
 * left out to keep the stored ones (a switch is its own action, and the API never returns
 * the password for a client to send back).
 */
export const DataSourceReplacement = Type.Object({
  ...DataSourceSpec.properties,
  groupKey: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'If given, must be the groupKey of the URL (a data source cannot be renamed).' })),
  active: Type.Optional(Type.Union([Type.Literal('master'), Type.Literal('standby')], { description: 'Which server pipelines use. Default: unchanged.' })),
  password: Type.Optional(Type.String({ maxLength: 200, description: 'New password. Default: unchanged.' })),
}, { ...strict, $id: 'DataSourceReplacement', description: 'A data source replacing the stored one.' });
export type DataSourceReplacementT = Static<typeof DataSourceReplacement>;

export const SwitchBody = Type.Object({
  to: Type.Union([Type.Literal('master'), Type.Literal('standby')], { description: 'The server pipelines use from now on.' }),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "Why, recorded in the event log with who switched. Default 'switch requested through the API'." })),
  force: Type.Optional(Type.Boolean({ description: 'Switch even when the member is not ready (unreachable, behind the active member, not measured): for a failover when the active member is lost. Default false.' })),
}, { ...strict, $id: 'DataSourceSwitch', description: 'A master/standby switch.' });
export type SwitchBodyT = Static<typeof SwitchBody>;

export const SwitchReadinessQuery = Type.Object({
  to: Type.Optional(Type.Union([Type.Literal('master'), Type.Literal('standby')], { description: 'The member a switch would make active. Default: the one not active now.' })),
}, strict);
export type SwitchReadinessQueryT = Static<typeof SwitchReadinessQuery>;

export const TokenCreate = Type.Object({
  name: Name('Name of the token, shown in lists and in `by` fields of permits; unique.'),
  role: TokenRole,
  node: Type.Optional(Name('Role node only, and required for it: the id (--id) of the one node this token reports for.')),
}, { ...strict, $id: 'TokenCreate', description: 'A new API token.' });
export type TokenCreateT = Static<typeof TokenCreate>;

export const PipelineStats = Type.Object({
  pipeline: Name('Pipeline name.'),
  node: Name('Node that runs it.'),
  epoch: Type.Integer({ minimum: 0, description: 'Assignment epoch it runs under.' }),
  state: Type.String({ maxLength: 40, description: 'Runner state (starting, running, retrying, failed, stopped, ...).' }),
  position: Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()], { description: 'Source position of the last committed batch.' }),
  lagMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'Replication lag.' }),
  rowsPerSecond: Type.Number({ minimum: 0 }),
  pipe: Type.Optional(Type.Object({
    bytesPerSecond: Type.Number({ minimum: 0, description: 'Bytes per second the load node receives through the pipe.' }),
    wireBytesPerRow: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'Pipe bytes (frames included) per row change received, this connection.' }),
    compressionRatio: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'Bytes before compression per byte on the wire (1: none).' }),
    rttMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'Heartbeat round trip between the two nodes.' }),
    inFlightBatches: Type.Integer({ minimum: 0, description: 'Batches received and not yet committed.' }),
  }, { ...strict, description: 'A split pipeline\'s node-to-node pipe, measured by its load node while the select side is connected.' })),
  copy: Type.Optional(Type.Object({
    mode: Type.Union([Type.Literal('initial'), Type.Literal('resync')], { description: 'initial: a new pipeline with initialCopy; resync: the binlog at the checkpoint was purged and the tables are copied again.' }),
    phase: Type.Union([Type.Literal('copying'), Type.Literal('replaying')], { description: 'copying: key chunks of the tables; replaying: the stream catches up over the copy\'s window.' }),
    table: Type.Optional(Type.String({ maxLength: 200, description: "The table being copied ('schema.table'), while copying." })),
    tablesDone: Type.Integer({ minimum: 0 }),
    tables: Type.Integer({ minimum: 0 }),
    rowsCopied: Type.Integer({ minimum: 0 }),
    estimatedRows: Type.Integer({ minimum: 0, description: "The source's estimate of all rows when the copy began (approximate)." }),
    percent: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], { description: 'rowsCopied of estimatedRows; null without an estimate.' }),
    rowsPerSecond: Type.Number({ minimum: 0 }),
    etaSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'Seconds left at that rate; null while unknown.' }),
    startedAt: Type.Number({ minimum: 0, description: 'When the copy began, ms since the epoch (node clock, display only).' }),
  }, { ...strict, description: 'An online copy under way (initialCopy, resync), measured by the load node.' })),
  conflicts: Type.Optional(ConflictsStats),
  error: Type.Optional(Type.Object({ code: Type.String({ maxLength: 100 }), message: Type.String({ maxLength: 10_000 }) }, strict)),
  at: Type.String({ maxLength: 40, description: 'Node clock, display only.' }),
}, { ...strict, description: 'Progress of one pipeline, as a node measured it.' });

/** Records in one stats report: far above the pipelines a node can run (each holds its own queues). */
export const STATS_RECORDS_MAX = 1000;

export const StatsReport = Type.Object({
  node: Name('The reporting node.'),
  stats: Type.Array(PipelineStats, { maxItems: STATS_RECORDS_MAX, description: `At most ${STATS_RECORDS_MAX} records; one per pipeline is kept (the highest epoch).` }),
}, { ...strict, $id: 'StatsReport', description: 'Statistics a node pushes for the pipelines it runs.' });
export type StatsReportT = Static<typeof StatsReport>;


// The wire schema and the record type must not drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statsMatchRecord: Same<Static<typeof PipelineStats>, PipelineStatsRecord> = true;
void statsMatchRecord;
