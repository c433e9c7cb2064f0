import type { components, paths } from './openapi.d.ts';

/**
 * Response bodies the console reads. The OpenAPI document describes request bodies and a few
 * responses (whoami); the others have no response schema in the manager's routes yet, so their
 * shapes are written here, holding only the fields the console shows.
 * test/unit/web/response-types.test.ts checks at type level that the manager's own view types
 * still provide every one of these fields, so they cannot drift apart unnoticed.
 */

export type WhoAmI = paths['/api/v1/whoami']['get']['responses'][200]['content']['application/json'];
export type Role = WhoAmI['role'];
export type ChannelStatus = 'START' | 'PAUSE' | 'STOP';

export interface StageView { node: string; dc: string | null }

export interface PipelineView {
  name: string;
  source: string;
  target: string;
  state: string | null;
  position: string | null;
  lagMs: number | null;
  rowsPerSecond: number | null;
  statsAt: string | null;
  error?: { code: string; message: string };
  node: string | null;
  stages: { select: StageView; load: StageView } | null;
  /** The pipe's settings and, split, its figures from the load node (null while not measured). */
  pipe: { compression?: string; bytesPerSecond: number | null; wireBytesPerRow: number | null; compressionRatio: number | null; rttMs: number | null; inFlightBatches: number | null };
  /** The spec's table rules (a name or pattern, or a rule object). */
  tables: Array<string | Record<string, unknown>>;
  /** An online copy under way (initialCopy, resync), from the assigned node's last report; null outside a copy. */
  copy: CopyProgress | null;
  /** Conflicts the target recorded for it (detection on), as its node last reported; null otherwise. */
  conflicts: number | null;
}

export interface CopyProgress {
  mode: 'initial' | 'resync';
  phase: 'copying' | 'replaying';
  table?: string;
  tablesDone: number;
  tables: number;
  rowsCopied: number;
  estimatedRows: number;
  percent: number | null;
  rowsPerSecond: number;
  etaSeconds: number | null;
  startedAt: number;
}

export interface ChannelView {
  name: string;
  description: string;
  status: ChannelStatus;
  statusBy: string | null;
  statusAt: string | null;
  /** The configuration's version: If-Match of a replacement. */
  version: number;
  /** Active-active settings (conflicts defaulted); null for a one-way channel. */
  bidirectional: { primary: string; conflicts: 'primary-wins' | 'newer-wins' | 'stop'; timestampColumn?: string } | null;
  pipelines: PipelineView[];
}

/** GET /channels/{name}/stats/history: per pipeline, columns oldest first (docs/api.md, History). */
export interface ChannelHistory {
  channel: string;
  spacingMs: number;
  windowMs: number;
  pipelines: Array<{ name: string; at: number[]; lagMs: Array<number | null>; rowsPerSecond: Array<number | null> }>;
}

export interface ClusterView {
  leader: string | null;
  managers: { id: string; url: string; leader: boolean; startedAt: string }[];
  nodes: { id: string; dc: string; state: 'up' | 'full' | 'leaving'; address: string; capacity: { pipelines: number }; version: string; startedAt: string }[];
  /** Gone while assignments still name them: their work waits until movesAt (manager/api/vanished-nodes.ts). */
  vanished: { id: string; pipelines: string[]; since: string | null; protectionPeriodMs: number | null; movesAt: string | null }[];
}

type DataSourceSpec = components['schemas']['DataSourceSpec'];
export interface MemberHealth {
  host: string;
  port: number;
  reachable: boolean;
  readOnly: boolean | null;
  gtidPosition: string | null;
  replica: { masterHost: string | null; masterPort: number | null; ioRunning: boolean | null; sqlRunning: boolean | null; secondsBehindMaster: number | null; lastError: string | null } | null;
  error?: { code: string; message: string };
}

/** How far a member is behind the other, by GTID position; transactions null: unknown, and why. */
export interface GtidBehind { transactions: number | null; ahead: string[]; unknown?: string }

/** What a node of the data source's datacenter measured (docs/api.md, Health). */
export interface DataSourceHealth {
  master: MemberHealth;
  standby: MemberHealth | null;
  active: 'master' | 'standby';
  behind: GtidBehind | null;
  measuredBy: string;
  at: string;
  stale: boolean;
}

export type DataSourceView = Omit<DataSourceSpec, 'password'> & { hasPassword: boolean; version: number; health: DataSourceHealth | null };

/** GET /datasources/{groupKey}/switch-readiness (docs/api.md, Switch readiness). */
export interface SwitchReadiness {
  groupKey: string;
  from: 'master' | 'standby';
  to: 'master' | 'standby';
  ready: boolean;
  problems: string[];
  warnings: string[];
  reachable: boolean | null;
  readOnly: boolean | null;
  behind: GtidBehind | null;
  caughtUp: boolean;
  measuredBy: string | null;
  at: string | null;
  stale: boolean;
}

export interface EventRecord {
  id: string;
  at: string;
  type: string;
  channel?: string;
  pipeline?: string;
  node?: string;
  by: string;
  reason: string;
}

export interface AlarmRecord {
  id: string;
  rule: string;
  pipeline: string;
  channel: string;
  severity: 'warning' | 'critical';
  message: string;
  value: number;
  raisedAt: string;
}

/** Every error answer of the API. */
export interface ErrorBody {
  code: string;
  message: string;
  workaround: string;
  details?: Record<string, unknown>;
}

/** A verify job (POST/GET /channels/{name}/verify): typed from the OpenAPI document. */
export type VerifyJob = components['schemas']['VerifyJob'];
export interface VerifyJobList { channel: string; jobs: VerifyJob[] }
export type ChannelConflicts = components['schemas']['ChannelConflicts'];
export type ConflictRecord = ChannelConflicts['conflicts'][number];
