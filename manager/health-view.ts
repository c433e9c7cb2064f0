import type { DataSourceHealthRecord, GtidBehind, MemberHealth } from '../shared/cluster/health-model.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { readRecord } from '../shared/cluster/zk-records.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';
import { isStale } from './switch-readiness.ts';

/**
 * A data source's `health` in the API: what a node of its datacenter last measured
 * (/health/<groupKey>), flagged stale when older than a few measurement intervals. Null when
 * no node there has measured it (none runs in that datacenter, or it just started).
 */
export interface HealthView {
  master: MemberHealth;
  standby: MemberHealth | null;
  /** The member that was active when measured. */
  active: 'master' | 'standby';
  /** The non-active member against the active one's GTID position (null without a standby). */
  behind: GtidBehind | null;
  measuredBy: string;
  dc: string;
  at: string;
  stale: boolean;
}

export async function readHealth(zk: ZkClient, groupKey: string): Promise<DataSourceHealthRecord | undefined> {
  return (await readRecord<DataSourceHealthRecord>(zk, zkPaths.dataSourceHealth(groupKey)))?.value;
}

export function healthView(record: DataSourceHealthRecord | undefined, now: number): HealthView | null {
  if (record === undefined) return null;
  return {
    master: record.master,
    standby: record.standby ?? null,
    active: record.active,
    behind: record.behind ?? null,
    measuredBy: record.measuredBy,
    dc: record.dc,
    at: record.at,
    stale: isStale(record, now),
  };
}
