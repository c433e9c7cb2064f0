import { gtidBehind } from '../shared/cluster/gtid-behind.ts';
import type { DataSourceHealthRecord, GtidBehind, MemberHealth } from '../shared/cluster/health-model.ts';
import type { DataSourceSpecT } from '../shared/cluster/model.ts';

/** A record older than this many measurement intervals (and at least STALE_MIN_MS) is stale. */
export const STALE_INTERVALS = 4;
export const STALE_MIN_MS = 20_000;

/** Whether a health record is too old to act on (judged on the node's clock against ours). */
export function isStale(record: Pick<DataSourceHealthRecord, 'at' | 'intervalMs'>, now: number): boolean {
  const at = Date.parse(record.at);
  if (Number.isNaN(at)) return true;
  return now - at > Math.max(STALE_MIN_MS, STALE_INTERVALS * record.intervalMs);
}

export type Member = 'master' | 'standby';

/** What GET /datasources/{groupKey}/switch-readiness returns, and what a refused switch carries. */
export interface SwitchReadiness {
  groupKey: string;
  from: Member;
  to: Member;
  /** True when the switch may go ahead without force. */
  ready: boolean;
  /** What makes it not ready, one sentence each (empty when ready). */
  problems: string[];
  /** Worth knowing, never a refusal: read_only, replication still running. */
  warnings: string[];
  /** The member switched to, as last measured (null: never measured). */
  member: MemberHealth | null;
  reachable: boolean | null;
  readOnly: boolean | null;
  /** The member switched to against the active one's GTID position. */
  behind: GtidBehind | null;
  caughtUp: boolean;
  measuredBy: string | null;
  at: string | null;
  stale: boolean;
}

/**
 * Whether the member `to` may become the active one, from the latest health: it must have
 * been measured recently, be reachable, and hold every transaction of the active member's
 * GTID position (so that no pipeline resumes on a server that lacks what it already read or
 * wrote). read_only and running replication are reported, not refused: a DBA may promote
 * the member right after the switch, and a source member is only read.
 */
export function switchReadiness(spec: Pick<DataSourceSpecT, 'groupKey' | 'active' | 'standby'>, to: Member, health: DataSourceHealthRecord | undefined, now: number): SwitchReadiness {
  const from = spec.active;
  const base = { groupKey: spec.groupKey, from, to };
  if (from === to) {
    const member = health ? memberOf(health, to) ?? null : null;
    return { ...base, ready: true, problems: [], warnings: [`${to} is already the active member`], member, reachable: member?.reachable ?? null, readOnly: member?.readOnly ?? null, behind: null, caughtUp: true, measuredBy: health?.measuredBy ?? null, at: health?.at ?? null, stale: health ? isStale(health, now) : false };
  }
  if (to === 'standby' && !spec.standby) {
    return { ...base, ready: false, problems: [`data source '${spec.groupKey}' has no standby`], warnings: [], member: null, reachable: null, readOnly: null, behind: null, caughtUp: false, measuredBy: null, at: null, stale: false };
  }
  if (!health) {
    return { ...base, ready: false, problems: [`no health measured yet: no node in the data source's datacenter has reported on '${spec.groupKey}'`], warnings: [], member: null, reachable: null, readOnly: null, behind: null, caughtUp: false, measuredBy: null, at: null, stale: false };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const stale = isStale(health, now);
  if (stale) problems.push(`the last health measurement (${health.at}, by node ${health.measuredBy}) is stale`);
  const member = memberOf(health, to) ?? null;
  const active = memberOf(health, from);
  let behind: GtidBehind | null = null;
  if (!member) {
    problems.push(`the ${to} has not been measured yet`);
  } else if (!member.reachable) {
    problems.push(`the ${to} ${member.host}:${member.port} is unreachable${member.error ? ` (${member.error.code})` : ''}`);
  } else if (!active?.reachable) {
    problems.push(`the active ${from} is unreachable, so whether the ${to} caught up cannot be told`);
  } else {
    behind = gtidBehind(member.gtidPosition, active.gtidPosition);
    if (behind.transactions === null) problems.push(`whether the ${to} caught up with the ${from} is unknown: ${behind.unknown ?? 'positions cannot be compared'}`);
    else if (behind.transactions > 0) problems.push(`the ${to} is ${behind.transactions} transaction(s) behind the ${from}'s GTID position ${active.gtidPosition ?? ''}`);
  }
  if (member?.readOnly === true) warnings.push(`the ${to} has read_only ON`);
  if (member?.replica && (member.replica.ioRunning === true || member.replica.sqlRunning === true)) warnings.push(`the ${to} still replicates from ${member.replica.masterHost ?? 'its master'}:${member.replica.masterPort ?? ''}`);
  const caughtUp = behind?.transactions === 0;
  return { ...base, ready: problems.length === 0, problems, warnings, member, reachable: member?.reachable ?? null, readOnly: member?.readOnly ?? null, behind, caughtUp, measuredBy: health.measuredBy, at: health.at, stale };
}

function memberOf(health: DataSourceHealthRecord, which: Member): MemberHealth | undefined {
  return which === 'master' ? health.master : health.standby;
}
