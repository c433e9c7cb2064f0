import type { ChannelView, PipelineView } from '../../manager/index.ts';
import { cell, duration, rate, renderFields, renderTable, time } from './table.ts';

/**
 * Tables of the API's answers for people: what a DBA looks at first (a channel's state, lag,
 * rows/s and node; a data source's active member and health). `-o json` prints the answers
 * themselves instead. The shapes are docs/api.md's; fields a manager leaves out show as '-'.
 */

/** Where a pipeline runs: one node, or `select -> load` for a split pipeline. */
function where(pipeline: PipelineView): string {
  const { stages } = pipeline;
  if (stages === null || stages === undefined) return cell(pipeline.node);
  return stages.select.node === stages.load.node ? stages.load.node : `${stages.select.node} -> ${stages.load.node}`;
}

function stateOf(pipeline: PipelineView): string {
  const copy = pipeline.copy;
  if (copy !== null && copy !== undefined) return `${cell(pipeline.state)} (${copy.phase === 'copying' ? `copying ${copy.percent === null ? '' : `${copy.percent.toFixed(1)} %`}`.trim() : 'replaying copy window'})`;
  return cell(pipeline.state);
}

export function channelsTable(channels: readonly ChannelView[]): string {
  const rows = channels.flatMap((c) => (c.pipelines.length === 0 ? [[c.name, c.status]] : c.pipelines.map((p) => [
    c.name, c.status, p.name, stateOf(p), where(p), duration(p.lagMs), rate(p.rowsPerSecond), p.error?.code,
  ])));
  return renderTable(['channel', 'status', 'pipeline', 'state', 'node', 'lag', 'rows/s', 'error'], rows);
}

export function channelDetail(channel: ChannelView): string {
  const head = renderFields([
    ['channel', channel.name],
    ['status', `${channel.status}${channel.statusBy ? ` (by ${channel.statusBy} at ${time(channel.statusAt)})` : ''}`],
    ...(channel.description ? [['description', channel.description] as const] : []),
    ...(channel.bidirectional ? [['bidirectional', `primary ${channel.bidirectional.primary}, conflicts ${channel.bidirectional.conflicts}`] as const] : []),
    ['version', channel.version],
  ]);
  const pipelines = renderTable(
    ['pipeline', 'source', 'target', 'state', 'node', 'epoch', 'lag', 'rows/s', 'position', 'reported'],
    channel.pipelines.map((p) => [p.name, p.source, p.target, stateOf(p), where(p), p.epoch, duration(p.lagMs), rate(p.rowsPerSecond), p.position, time(p.statsAt)]),
  );
  const errors = channel.pipelines.filter((p) => p.error).map((p) => `${p.name}: ${p.error!.code}: ${p.error!.message}`);
  return [head, '', pipelines, ...(errors.length > 0 ? ['', ...errors] : [])].join('\n');
}

interface MemberHealth {
  host?: string;
  port?: number;
  reachable?: boolean;
  readOnly?: boolean | null;
  gtidPosition?: string | null;
  replica?: { ioRunning?: boolean; sqlRunning?: boolean; secondsBehindMaster?: number | null; lastError?: string } | null;
  error?: { code: string; message: string };
}

export interface DataSourceAnswer {
  groupKey: string;
  dc: string;
  active: 'master' | 'standby';
  master: { host: string; port: number };
  standby?: { host: string; port: number };
  user?: string;
  version?: number;
  health?: {
    master?: MemberHealth;
    standby?: MemberHealth;
    behind?: { transactions: number | null } | null;
    measuredBy?: string;
    at?: string;
    stale?: boolean;
  } | null;
}

/** A member's health in a word or two: up, up read-only, down (its error code), or '?' not measured. */
function health(member: MemberHealth | undefined): string {
  if (member === undefined) return '?';
  if (member.reachable !== true) return `down${member.error ? ` (${member.error.code})` : ''}`;
  const replica = member.replica;
  const replicating = replica ? `, replica ${replica.ioRunning && replica.sqlRunning ? 'running' : 'stopped'}` : '';
  return `up${member.readOnly === true ? ' read-only' : ''}${replicating}`;
}

const endpoint = (member: { host: string; port: number } | undefined) => (member === undefined ? undefined : `${member.host}:${member.port}`);

function behind(ds: DataSourceAnswer): string {
  const h = ds.health;
  if (h === null || h === undefined || ds.standby === undefined) return '-';
  const transactions = h.behind?.transactions;
  return transactions === null || transactions === undefined ? '?' : `${transactions} trx`;
}

export function dataSourcesTable(sources: readonly DataSourceAnswer[]): string {
  return renderTable(
    ['groupkey', 'dc', 'active', 'active server', 'master', 'standby', 'behind', 'measured'],
    sources.map((ds) => {
      const h = ds.health ?? undefined;
      return [
        ds.groupKey, ds.dc, ds.active, endpoint(ds.active === 'standby' ? ds.standby : ds.master),
        health(h?.master), ds.standby === undefined ? 'none' : health(h?.standby), behind(ds),
        h === undefined ? 'not yet' : `${time(h.at)}${h.stale ? ' STALE' : ''}`,
      ];
    }),
  );
}

export function dataSourceDetail(ds: DataSourceAnswer): string {
  const h = ds.health ?? undefined;
  const head = renderFields([
    ['groupKey', ds.groupKey], ['dc', ds.dc], ['active', ds.active], ['user', ds.user], ['version', ds.version],
    ['measured', h === undefined ? 'not yet (no node of its datacenter has measured it)' : `${time(h.at)} by ${cell(h.measuredBy)}${h.stale ? ' (stale)' : ''}`],
    ['standby behind', behind(ds)],
  ]);
  const members = (['master', 'standby'] as const).flatMap((name) => {
    const spec = ds[name];
    if (spec === undefined) return [];
    const m = h?.[name];
    return [[name, endpoint(spec), ds.active === name ? 'yes' : 'no', health(m), m?.gtidPosition, m?.replica?.secondsBehindMaster, m?.error?.message ?? (m?.replica?.lastError || undefined)]];
  });
  return [head, '', renderTable(['member', 'server', 'active', 'health', 'gtid position', 'behind s', 'error'], members)].join('\n');
}

export interface ReadinessAnswer {
  groupKey: string;
  from: string;
  to: string;
  ready: boolean;
  problems: string[];
  warnings: string[];
  caughtUp?: boolean | null;
  behind?: { transactions: number | null } | null;
  measuredBy?: string | null;
  at?: string | null;
}

export function readinessDetail(r: ReadinessAnswer): string {
  return renderFields([
    ['groupKey', r.groupKey],
    ['switch', `${r.from} -> ${r.to}`],
    ['ready', r.ready ? 'yes' : 'NO'],
    ['caught up', r.caughtUp === null || r.caughtUp === undefined ? '?' : r.caughtUp ? 'yes' : 'no'],
    ['behind', r.behind?.transactions === null || r.behind?.transactions === undefined ? '?' : `${r.behind.transactions} trx`],
    ['measured', r.at ? `${time(r.at)} by ${cell(r.measuredBy)}` : 'not yet'],
    ...r.problems.map((p) => ['problem', p] as const),
    ...r.warnings.map((w) => ['warning', w] as const),
  ]);
}

export interface ClusterAnswer {
  leader: string | null;
  managers: { id: string; url: string; leader: boolean; startedAt?: string }[];
  nodes: { id: string; dc: string; state: string; address?: string; capacity?: number; version?: string; startedAt?: string }[];
  vanished?: { id: string; pipelines: string[]; since?: string | null; movesAt?: string | null }[];
}

export function nodesTable(cluster: ClusterAnswer): string {
  const nodes = renderTable(['node', 'dc', 'state', 'address', 'capacity', 'version', 'started'], cluster.nodes.map((n) => [n.id, n.dc, n.state, n.address, n.capacity, n.version, time(n.startedAt)]));
  const managers = renderTable(['manager', 'url', 'leader', 'started'], cluster.managers.map((m) => [m.id, m.url, m.leader ? 'yes' : '', time(m.startedAt)]));
  const vanished = (cluster.vanished ?? []).map((v) => `vanished ${v.id}: ${v.pipelines.join(', ') || 'no work'}${v.movesAt ? `, moves at ${time(v.movesAt)}` : ''}`);
  return [nodes, '', managers, ...(vanished.length > 0 ? ['', ...vanished] : [])].join('\n');
}

export interface EventAnswer {
  id: string;
  type: string;
  channel?: string;
  pipeline?: string;
  node?: string;
  by: string;
  reason: string;
  at: string;
}

export function eventsTable(events: readonly EventAnswer[]): string {
  return renderTable(['id', 'at', 'type', 'channel', 'pipeline', 'node', 'by', 'reason'], events.map((e) => [e.id, time(e.at), e.type, e.channel, e.pipeline, e.node, e.by, e.reason]));
}

export interface AlarmAnswer {
  id: string;
  severity: string;
  channel?: string;
  pipeline?: string;
  value?: unknown;
  message: string;
  raisedAt: string;
}

export function alarmsTable(alarms: readonly AlarmAnswer[]): string {
  return renderTable(['id', 'severity', 'channel', 'raised', 'value', 'message'], alarms.map((a) => [a.id, a.severity, a.channel, time(a.raisedAt), a.value, a.message]));
}

export interface VerifyJobAnswer {
  id: string;
  channel: string;
  state: string;
  requestedBy?: string;
  reason?: string;
}

export function verifyJobDetail(job: VerifyJobAnswer): string {
  return renderFields([['verify job', job.id], ['channel', job.channel], ['state', job.state], ['requested by', job.requestedBy], ['reason', job.reason],
    ['follow', `GET /api/v1/channels/${job.channel}/verify/${job.id}`]]);
}

/** A configuration history entry (issue 18: `{version, by, at, diff}`). */
export interface HistoryEntry {
  version: number;
  by: string;
  at: string;
  /** create, update or delete. */
  change?: string;
  /** The version this one restored. */
  revertOf?: number;
  diff?: unknown;
}

/**
 * The entries of a history answer: a list, or the first list in an object (`{channel, entries}`
 * or the like), so that the table does not depend on the envelope.
 */
export function historyEntries(body: unknown): HistoryEntry[] {
  if (Array.isArray(body)) return body as HistoryEntry[];
  if (typeof body === 'object' && body !== null) return (Object.values(body).find(Array.isArray) ?? []) as HistoryEntry[];
  return [];
}

/** What an entry changed, in a few words: the paths or fields of its diff. */
function changed(diff: unknown): string {
  const parts = Array.isArray(diff)
    ? diff.map((d: unknown) => (typeof d === 'string' ? d : typeof d === 'object' && d !== null && 'path' in d ? String(d.path) : JSON.stringify(d)))
    : typeof diff === 'object' && diff !== null ? Object.keys(diff) : diff === undefined ? [] : [JSON.stringify(diff)];
  const text = parts.join(', ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function historyTable(body: unknown): string {
  return renderTable(['version', 'at', 'by', 'change', 'changed'], historyEntries(body).map((e) => [e.version, time(e.at), e.by, changeOf(e), changed(e.diff)]));
}

function changeOf(entry: HistoryEntry): string {
  return entry.revertOf === undefined ? entry.change ?? '' : `revert to ${entry.revertOf}`;
}
