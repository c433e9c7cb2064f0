import { FerryError } from '../errors/index.ts';

/**
 * Every ZooKeeper path Ferry uses, and nothing else builds one. docs/zookeeper-layout.md says
 * for each who writes, watches and deletes it. The root is versioned so that a later layout
 * can live beside this one during an upgrade.
 *
 * Names inside paths (groupKeys, channel, pipeline and node ids) are checked by the model's
 * patterns ([A-Za-z0-9][A-Za-z0-9_.-]*), so they never contain '/'.
 */
export const ZK_ROOT = '/ferry/v1';

const under = (parent: string, name: string): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `not a valid znode name: ${JSON.stringify(name)}` }); // names are validated before they get here
  return `${parent}/${name}`;
};

export const zkPaths = {
  root: ZK_ROOT,

  // --- What users edit (the spec). Written only through manager/config; every edit is one
  // multi-op that also bumps configEpoch, so a reader that saw epoch E saw every edit up to E.
  config: `${ZK_ROOT}/config`,
  /** Empty node; its data version is the configuration epoch. */
  configEpoch: `${ZK_ROOT}/config/epoch`,
  dataSources: `${ZK_ROOT}/config/datasources`,
  dataSource: (groupKey: string) => under(`${ZK_ROOT}/config/datasources`, groupKey),
  channels: `${ZK_ROOT}/config/channels`,
  channel: (name: string) => under(`${ZK_ROOT}/config/channels`, name),
  /**
   * API tokens by the hex SHA-256 of the token (the token itself is never stored). Names are
   * not protected by ACLs (exists() ignores them, ZOOKEEPER-2590): the hash of a 256-bit random
   * token reveals nothing usable, since a bearer must present the token itself.
   */
  tokens: `${ZK_ROOT}/config/tokens`,
  token: (sha256Hex: string) => under(`${ZK_ROOT}/config/tokens`, sha256Hex),

  /**
   * Configuration history (issue 18): config-history/<kind>/<name>/<entry> with kind
   * `channels`, `datasources` or `tokens`, one persistent entry per change, written in the same
   * multi-op as the edit itself (so no edit lands without its entry, and two managers never
   * write the same one). Bounded by count and age (manager/config/history*.ts).
   */
  configHistoryRoot: `${ZK_ROOT}/config-history`,
  configHistoryKind: (kind: 'channels' | 'datasources' | 'tokens') => under(`${ZK_ROOT}/config-history`, kind),
  configHistory: (kind: 'channels' | 'datasources' | 'tokens', name: string) => under(under(`${ZK_ROOT}/config-history`, kind), name),
  /**
   * The audit log (issue 18): persistent-sequential audit/entry-<seq>, one per API write on
   * any manager (ZooKeeper's sequence orders writes of several managers), oldest pruned.
   */
  audit: `${ZK_ROOT}/audit`,
  auditPrefix: `${ZK_ROOT}/audit/entry-`,

  // --- Runtime state.
  /** Channel status START / PAUSE / STOP: the permit every stage of its pipelines waits on. */
  permits: `${ZK_ROOT}/permits`,
  permit: (channel: string) => under(`${ZK_ROOT}/permits`, channel),
  /** Which node runs a pipeline, with the fencing epoch. Written by the leader; nodes ack. */
  assignments: `${ZK_ROOT}/assignments`,
  assignment: (pipeline: string) => under(`${ZK_ROOT}/assignments`, pipeline),
  /**
   * The select side of a split pipeline (its assignment above is then the load side). A
   * parent of its own: a name suffix such as `<pipeline>.select` could be another pipeline's.
   */
  selectAssignments: `${ZK_ROOT}/select-assignments`,
  selectAssignment: (pipeline: string) => under(`${ZK_ROOT}/select-assignments`, pipeline),
  /**
   * Lowest epoch the next assignment of a pipeline must exceed: the target's fence epoch, as
   * reported by a node whose claim that fence refused while ZooKeeper had nothing newer (a
   * rebuilt ensemble or a new chroot restarts the epoch counter low).
   */
  epochFloors: `${ZK_ROOT}/epoch-floors`,
  epochFloor: (pipeline: string) => under(`${ZK_ROOT}/epoch-floors`, pipeline),
  /**
   * That a pipeline's target held a checkpoint, and the newest position known committed there
   * (shared/cluster/applied-records.ts): a start that finds the checkpoint gone is refused.
   */
  appliedRoot: `${ZK_ROOT}/applied`,
  applied: (pipeline: string) => under(`${ZK_ROOT}/applied`, pipeline),
  /** Latest progress of a pipeline (display only; the checkpoint of record is in the target). */
  stats: `${ZK_ROOT}/stats`,
  stat: (pipeline: string) => under(`${ZK_ROOT}/stats`, pipeline),
  /**
   * A bounded history of a pipeline's figures (lag, rows/s) for charts that survive a reload:
   * one compact array per pipeline, appended by the manager that takes a stats report.
   */
  history: `${ZK_ROOT}/history`,
  pipelineHistory: (pipeline: string) => under(`${ZK_ROOT}/history`, pipeline),
  /**
   * Health of a data source's members (DataSourceHealthRecord), measured by one node of the data
   * source's datacenter: managers never connect to databases.
   */
  health: `${ZK_ROOT}/health`,
  dataSourceHealth: (groupKey: string) => under(`${ZK_ROOT}/health`, groupKey),

  /**
   * Verify jobs of a channel: verify-jobs/<channel>/job-<seq> (VerifyJobRecord) with one child
   * per pipeline (VerifyPartRecord), the newest 20 kept (shared/cluster/verify-jobs.ts).
   */
  verifyJobsRoot: `${ZK_ROOT}/verify-jobs`,
  verifyJobs: (channel: string) => under(`${ZK_ROOT}/verify-jobs`, channel),
  verifyJob: (channel: string, job: string) => under(under(`${ZK_ROOT}/verify-jobs`, channel), job),
  verifyPart: (channel: string, job: string, pipeline: string) => under(under(under(`${ZK_ROOT}/verify-jobs`, channel), job), pipeline),
  /** A node's verify tasks: verify-inbox/<node>/task-<seq> (VerifyTaskRecord), deleted once run. */
  verifyInboxRoot: `${ZK_ROOT}/verify-inbox`,
  verifyInbox: (node: string) => under(`${ZK_ROOT}/verify-inbox`, node),

  // --- The arbiter.
  /** One lock per channel: ephemeral-sequential contenders; the lowest holds it. */
  locks: `${ZK_ROOT}/locks`,
  channelLock: (channel: string) => under(`${ZK_ROOT}/locks`, channel),
  /** Persistent-sequential event records (who raised what and why), oldest pruned. */
  events: `${ZK_ROOT}/events`,
  eventPrefix: `${ZK_ROOT}/events/event-`,
  /**
   * ROLLBACK acknowledgements: /rollbacks/<channel>/<node> holds the rollbackId the node has
   * acted on (in-flight batches dropped, pipeline context cleared). Written by nodes, read by
   * whoever runs the ROLLBACK under the channel lock.
   */
  rollbacks: `${ZK_ROOT}/rollbacks`,
  channelRollbacks: (channel: string) => under(`${ZK_ROOT}/rollbacks`, channel),
  rollbackAck: (channel: string, node: string) => under(under(`${ZK_ROOT}/rollbacks`, channel), node),
  /** Active alarms by id; cleared alarms are deleted (their history is in /events). */
  alarms: `${ZK_ROOT}/alarms`,
  alarm: (id: string) => under(`${ZK_ROOT}/alarms`, id),

  // --- Liveness.
  /** Ephemeral, one per live node process. */
  nodes: `${ZK_ROOT}/nodes`,
  node: (id: string) => under(`${ZK_ROOT}/nodes`, id),
  /** Ephemeral, one per live manager process (its id and API URL). */
  managers: `${ZK_ROOT}/managers`,
  manager: (id: string) => under(`${ZK_ROOT}/managers`, id),
  /** Ephemeral-sequential candidates; the lowest sequence leads. */
  election: `${ZK_ROOT}/election`,
  electionCandidatePrefix: `${ZK_ROOT}/election/candidate-`,
} as const;

/** The persistent parents, created at start-up by managers and nodes alike (mkdirp is idempotent). */
export const ZK_PARENTS: readonly string[] = [
  zkPaths.dataSources, zkPaths.channels, zkPaths.tokens,
  zkPaths.permits, zkPaths.assignments, zkPaths.selectAssignments, zkPaths.epochFloors, zkPaths.appliedRoot, zkPaths.stats, zkPaths.history, zkPaths.health, zkPaths.verifyJobsRoot, zkPaths.verifyInboxRoot,
  zkPaths.configHistoryRoot, zkPaths.audit,
  zkPaths.nodes, zkPaths.managers, zkPaths.election,
  zkPaths.locks, zkPaths.events, zkPaths.alarms, zkPaths.rollbacks,
];
