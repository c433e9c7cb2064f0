/**
 * What a node measured of a data source's members (/health/<groupKey>), for the API's data
 * source view and the switch readiness check. Managers never connect to databases: a node in
 * the data source's datacenter measures and writes this record, managers read it.
 */

/** Replication as the member reports it (SHOW SLAVE STATUS); null fields: not reported. */
export interface ReplicaHealth {
  /** Where it replicates from, as the member names it. */
  masterHost: string | null;
  masterPort: number | null;
  ioRunning: boolean | null;
  sqlRunning: boolean | null;
  secondsBehindMaster: number | null;
  /** MariaDB: the GTID position of the last replicated transaction applied (@@gtid_slave_pos). */
  gtidSlavePos: string | null;
  /** The last I/O or SQL thread error, '' when none. */
  lastError: string | null;
}

/** One member (master or standby) of a data source. */
export interface MemberHealth {
  host: string;
  port: number;
  /** Connected and answered SELECT 1 within the probe's timeout. */
  reachable: boolean;
  /** Why not reachable (or why a part could not be read): a Ferry code and its message. */
  error?: { code: string; message: string };
  /** 'MariaDB' or 'MySQL', from VERSION(); null when unreachable. */
  flavor: 'MariaDB' | 'MySQL' | null;
  version: string | null;
  readOnly: boolean | null;
  /** Null when the member is not a replica (no replication configured) or unreachable. */
  replica: ReplicaHealth | null;
  /**
   * The member's GTID position: MariaDB @@gtid_current_pos (its binlog and what it applied as a
   * replica), MySQL @@gtid_executed. What "behind" compares.
   */
  gtidPosition: string | null;
  /** MariaDB @@gtid_binlog_pos (MySQL: null). */
  gtidBinlogPos: string | null;
}

/** How far a member is behind another, by GTID position. */
export interface GtidBehind {
  /** Transactions the member lacks; null when the positions cannot be compared ("unknown"). */
  transactions: number | null;
  /** Per MariaDB domain (or MySQL source uuid) where it lacks some: how many. */
  domains: Record<string, number>;
  /** Domains where the member is further than the other one (its own writes, or diverged). */
  ahead: string[];
  /** Why `transactions` is null. */
  unknown?: string;
}

/** /health/<groupKey>. */
export interface DataSourceHealthRecord {
  groupKey: string;
  /** The active member when measured. */
  active: 'master' | 'standby';
  master: MemberHealth;
  standby?: MemberHealth;
  /** The non-active member against the active one (absent without a standby). */
  behind?: GtidBehind;
  /** The node that measured, and its datacenter. */
  measuredBy: string;
  dc: string;
  /** Node clock when the measurement ended; staleness is judged against it. */
  at: string;
  /** Between two measurements, so readers can tell a stale record. */
  intervalMs: number;
}
