import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { EndpointObject, PIPELINE_DEFAULTS, PipelineSpec, withoutDefaults } from '../config/pipeline-spec.ts';
import type { ConflictRecord } from '../model/conflict.ts';

/**
 * The cluster model: what users edit through the REST API (data sources, channels) and the
 * runtime records managers and nodes exchange through ZooKeeper. One TypeBox schema each,
 * shared by the API routes, the OpenAPI document and the configuration store. Unknown keys
 * are refused everywhere.
 */

const strict = { additionalProperties: false } as const;

/** Names that end up in znode paths and in the target's checkpoint key. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
const Name = (description: string) => Type.String({ pattern: NAME_PATTERN, description: `${description} Letters, digits, '_', '.', '-', at most 64, starting with a letter or digit.` });

export const HostPort = Type.Object({
  host: Type.String({ minLength: 1, maxLength: 255, description: 'Host name or IP address (IPv6 without brackets).' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: PIPELINE_DEFAULTS.port, description: 'TCP port. Default 3306.' }),
}, { ...strict, description: 'One database server.' });

/** A data source as the user writes it (POST/PUT body). */
export const DataSourceSpec = Type.Object({
  groupKey: Name('Name pipelines use for this database.'),
  dc: Name('Datacenter the database lives in; placement keeps Select near the source and Load near the target.'),
  master: HostPort,
  standby: Type.Optional(HostPort),
  active: Type.Union([Type.Literal('master'), Type.Literal('standby')], {
    default: 'master',
    description: "Which server pipelines use now. A switch is a DBA action (POST /api/v1/datasources/{groupKey}/switch). Default 'master'.",
  }),
  user: Type.String({ minLength: 1, maxLength: 80, description: 'User Ferry logs in as (replication privileges on a source, write privileges on a target).' }),
  password: Type.String({ maxLength: 200, default: '', description: "Password of that user. Write-only: never returned by the API and never logged; stored sealed with the managers' key file. Default ''." }),
  // TLS as in a pipeline file's endpoint; the files are paths on the nodes that connect.
  sslMode: EndpointObject.properties.sslMode,
  sslCa: EndpointObject.properties.sslCa,
  sslCert: EndpointObject.properties.sslCert,
  sslKey: EndpointObject.properties.sslKey,
}, { ...strict, $id: 'DataSourceSpec', description: 'A database reached through its groupKey: a master and an optional standby.' });
export type DataSourceSpecT = Static<typeof DataSourceSpec>;

/** What the API returns for a data source: never the password. */
export type DataSourceView = Omit<DataSourceSpecT, 'password'> & { hasPassword: boolean; version: number };

/** Where a pipeline's stages may run. Default: anywhere. */
export const PlacementSpec = Type.Object({
  nodes: Type.Optional(Type.Array(Name('Node id.'), { minItems: 1, description: 'Only these nodes. Default: any node.' })),
  dcs: Type.Optional(Type.Array(Name('Datacenter.'), { minItems: 1, description: 'Only nodes in these datacenters. Default: any datacenter.' })),
  split: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('never')], {
    description: "auto: when the source's and the target's data sources are in different datacenters, run Select/Extract on a node of the source's and Transform/Load on a pipe-capable node of the target's, joined by the node-to-node pipe (whole on one node when either has no such node). never: always one node. Default 'auto'.",
  })),
}, { ...strict, default: {}, description: 'Where the stages may run.' });

/** The pipeline file's fields, as one schema each (shared, so the two cannot drift apart). */
const file = PipelineSpec.properties;
/** A pipeline file field as a channel holds it: optional, defaults left to resolvePipeline. */
const optional = <T extends TSchema>(schema: T) => Type.Optional(withoutDefaults(schema));
const optionalObject = <T extends TObject>(schema: T) => Type.Optional(Type.Partial(withoutDefaults(schema)));

/**
 * One pipeline of a channel: the fields of the pipeline file (PipelineSpec) with groupKeys in
 * place of servers, plus placement. Not taken: `epoch` (the cluster sets it) and `hook` (a
 * module path on the machine that runs the pipeline; a REST body must not make a node load
 * code). Pipeline names are unique across the cluster (they key the checkpoint).
 */
export const ChannelPipelineSpec = Type.Object({
  name: Name('Pipeline name, unique in the cluster; keys the checkpoint in the target, so keep it once replication started.'),
  description: optional(file.description),
  source: Name('groupKey of the source data source.'),
  target: Name('groupKey of the target data source.'),
  tables: file.tables,
  placement: Type.Optional(PlacementSpec),
  from: optional(file.from),
  detectConflicts: optional(file.detectConflicts),
  initialCopy: optional(file.initialCopy),
  onPurgedBinlog: optional(file.onPurgedBinlog),
  validation: optionalObject(file.validation),
  serverId: optional(file.serverId),
  batch: optionalObject(file.batch),
  parallel: optional(file.parallel),
  queue: optionalObject(file.queue),
  ddl: optional(file.ddl),
  errorPolicy: optional(file.errorPolicy),
  binlogReplay: optional(file.binlogReplay),
  skipPrechecks: optional(file.skipPrechecks),
  systemSchema: optional(file.systemSchema),
  retry: optionalObject(file.retry),
  liveness: optionalObject(file.liveness),
  pipe: optionalObject(file.pipe),
}, { ...strict, description: 'A one-way pipeline between two data sources.' });
export type ChannelPipelineSpecT = Static<typeof ChannelPipelineSpec>;

/** An active-active channel: its two pipelines mirror each other (docs/bidirectional.md). */
export const ChannelBidirectionalSpec = Type.Object({
  primary: Name("groupKey of the primary data source: one of the two pipelines' sources. Its version wins under primary-wins and on newer-wins ties; only its DDL is replicated."),
  conflicts: Type.Optional(Type.Union([Type.Literal('primary-wins'), Type.Literal('newer-wins'), Type.Literal('stop')], {
    description: "How a conflict is settled, the same way on both sides: 'primary-wins', 'newer-wins' (by timestampColumn; ties and deletes to the primary) or 'stop'. Default 'primary-wins'.",
  })),
  timestampColumn: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Column newer-wins compares (target name; every replicated table needs it). Required with newer-wins only.' })),
}, { ...strict, description: "The channel's two pipelines are each other's mirror (source and target swapped, the same tables): changes flow both ways without bouncing, and conflicts are settled by policy. Default: none (each pipeline one-way)." });
export type ChannelBidirectionalSpecT = Static<typeof ChannelBidirectionalSpec>;

export const ChannelSpec = Type.Object({
  name: Name('Channel name.'),
  description: Type.Optional(Type.String({ maxLength: 500, description: "Free text for operators. Default ''." })),
  pipelines: Type.Array(ChannelPipelineSpec, { minItems: 1, maxItems: 2, description: 'One pipeline (one-way) or two (bidirectional).' }),
  bidirectional: Type.Optional(ChannelBidirectionalSpec),
}, { ...strict, $id: 'ChannelSpec', description: 'One or two pipelines that start, pause and stop together.' });
export type ChannelSpecT = Static<typeof ChannelSpec>;

export const ChannelStatus = Type.Union([Type.Literal('START'), Type.Literal('PAUSE'), Type.Literal('STOP')], {
  description: 'START: stages run. PAUSE: stages hold, keeping their place. STOP: stages end. New channels are STOP.',
});
export type ChannelStatusT = Static<typeof ChannelStatus>;

/** /permits/<channel>: the permit. */
export interface PermitRecord {
  status: ChannelStatusT;
  /** Who set it ('api:<token name>', 'arbiter', ...) and why; for events and display. */
  by: string;
  reason?: string;
  /** Manager wall clock, display only: nothing may depend on clocks agreeing. */
  at: string;
  /**
   * Set by the arbiter's ROLLBACK (and the first half of RESTART): a new id tells every node
   * running a pipeline of this channel to drop its in-flight batches (abort, no commit), clear
   * the pipeline's context, and acknowledge at /rollbacks/<channel>/<node>. A permit without
   * it, or with an id the node already acted on, is a plain status change.
   */
  rollbackId?: string;
}

/** /nodes/<id> (ephemeral). */
export interface NodeRecord {
  id: string;
  dc: string;
  /** host:port where the node can be reached (for display and remote pipes). */
  address: string;
  capacity: { pipelines: number };
  /** 'up'; 'full' (alive, but takes no new work); 'leaving' (clean shutdown: move its work now). */
  state: 'up' | 'full' | 'leaving';
  version: string;
  startedAt: string;
  /**
   * Where other nodes dial this node's pipe server (`--pipe-advertise`, else `--pipe-listen`),
   * and whether it speaks TLS. Only a node with it can take the load side of a split pipeline.
   */
  pipe?: { address: string; tls: boolean };
}

/** /managers/<id> (ephemeral). */
export interface ManagerRecord {
  id: string;
  /** Base URL of its API, e.g. http://127.0.0.1:8080; https:// when it serves TLS (nodes then speak nothing else to it) */
  url: string;
  startedAt: string;
}

/**
 * /assignments/<pipeline>: written by the leader as 'pending' with a new epoch, then
 * 'acked' by the node once it runs it, then 'done' by the leader once it saw the ack (each
 * step a compare-and-set). Nodes run 'acked' and 'done' alike. The epoch only grows for a
 * pipeline; the node hands it to the loader, whose fence in the target refuses commits from
 * older epochs.
 */
export interface AssignmentRecord {
  pipeline: string;
  channel: string;
  node: string;
  epoch: number;
  state: 'pending' | 'acked' | 'done';
  /** Writer's wall clock at the last step, display only. */
  at: string;
  /** The node that ran it before it moved here (the 'sticky' placement policy prefers it). */
  previousNode?: string;
  /**
   * Set when the pipeline is split: this record is the load side (Transform, Load; its epoch
   * fences the target) and /select-assignments/<pipeline> the select side. `secret` is the
   * pipe secret sealed for `pipe/<pipeline>` (shared/secrets), the same envelope as in the
   * select record; `selectNode` and `selectEpoch` name the one select side it may accept.
   */
  pipe?: { secret: string; selectNode: string; selectEpoch: number };
}

/**
 * /select-assignments/<pipeline>: the select side (Select, Extract) of a split pipeline, with
 * its own epoch from the same counter; pending -> acked -> done as an assignment. `pipe` says
 * where the load side listens and holds the same sealed secret as the load record.
 */
export interface SelectAssignmentRecord extends Omit<AssignmentRecord, 'pipe'> {
  pipe: { secret: string; loadNode: string; address: string; tls: boolean; loadEpoch: number };
}

/**
 * A split pipeline's pipe, as its load node measures it: WAN throughput, bytes per row change
 * (frames and heartbeats included), the codec's ratio (bytes before compression per byte
 * after; 1 without compression), the heartbeat round trip, batches received and not yet
 * committed. Null fields: not measured yet.
 */
export interface PipeStatsRecord {
  bytesPerSecond: number;
  wireBytesPerRow: number | null;
  compressionRatio: number | null;
  rttMs: number | null;
  inFlightBatches: number;
}

/**
 * An online copy under way (initialCopy, or a resync after the binlog at the checkpoint was
 * purged), as the pipeline's load node measures it from the copy state it commits
 * (node/pipeline/progress.ts, CopyProgress).
 */
export interface CopyProgressRecord {
  mode: 'initial' | 'resync';
  /** copying: key chunks of the tables; replaying: the stream catches up over the copy's window. */
  phase: 'copying' | 'replaying';
  /** The table being copied ('schema.table'), while copying. */
  table?: string;
  tablesDone: number;
  tables: number;
  rowsCopied: number;
  /** The source's estimate of all rows when the copy began (TABLE_ROWS: approximate). */
  estimatedRows: number;
  /** 0-100; null without an estimate. */
  percent: number | null;
  rowsPerSecond: number;
  /** Seconds left at that rate; null while unknown. */
  etaSeconds: number | null;
  /** When the copy began (ms since the epoch, the node's clock). */
  startedAt: number;
}

/** /stats/<pipeline>: last progress a node reported, through a manager. */
export interface PipelineStatsRecord {
  pipeline: string;
  node: string;
  epoch: number;
  state: string;
  /** GTID set (or file:pos) of the last committed batch. */
  position: string | null;
  lagMs: number | null;
  rowsPerSecond: number;
  /** The pipe of a split pipeline, while its select side is connected. */
  pipe?: PipeStatsRecord;
  /** An online copy, while one is under way. */
  copy?: CopyProgressRecord;
  /** Conflict detection on (bidirectional, detectConflicts): as the load node last knew them. */
  conflicts?: ConflictsStatsRecord;
  error?: { code: string; message: string };
  at: string;
}

/**
 * A pipeline's conflicts in its stats: how many the target's conflicts table holds for it, and
 * the newest (at most 20, newest first), their values cut short to keep the record small
 * (node/cluster/stats-record.ts); the target's table keeps them whole.
 */
export interface ConflictsStatsRecord {
  total: number;
  recent: ConflictRecord[];
}

/** /config/tokens/<sha256>: an API token's role (the token itself is never stored). */
export const TokenRole = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('viewer'), Type.Literal('node')], {
  description: 'admin: everything. operator: reads, runs channels and switches data sources. viewer: reads. node: a node process reporting statistics.',
});
export type TokenRoleT = Static<typeof TokenRole>;
export interface TokenRecord {
  name: string;
  role: TokenRoleT;
  /** Role node only: the one node id the token may report for (absent on tokens of other roles). */
  node?: string;
  createdAt: string;
}

/** Everything a node needs to run, as one consistent read at configuration epoch `epoch`. */
export interface ConfigSnapshot {
  epoch: number;
  dataSources: Record<string, DataSourceSpecT>;
  channels: Record<string, ChannelSpecT>;
}
