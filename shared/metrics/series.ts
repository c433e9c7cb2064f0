import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Every series Ferry exports, in one place: the dashboard and alert-rule test lists them from
 * here (docs/metrics.md says which process exports which). Each is labelled, so a process
 * that feeds none of a series shows only its HELP and TYPE lines, never a made-up zero.
 */

/** Where a series comes from: a process running pipeline stages (node, run), or a manager. */
type Exporter = 'pipeline' | 'manager' | 'zk';

interface SeriesSpec {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: readonly string[];
  exporter: Exporter;
  buckets?: number[];
}

/** The states of ferry_pipeline_state, as PipelineStatus names them. */
export const PIPELINE_STATES = ['starting', 'running', 'retrying', 'stopped', 'failed'] as const;
/** The states of ferry_zk_session_state ('expired' also while a process has no session). */
export const ZK_SESSION_STATES = ['connected', 'disconnected', 'expired'] as const;

export const SERIES = {
  lag: { name: 'ferry_pipeline_lag_seconds', type: 'gauge', labels: ['pipeline'], exporter: 'pipeline', help: 'How far the target is behind the source: while changes wait, now minus the source commit time of the last applied transaction; caught up, the time since the source was last heard from. Rises while nothing applies.' },
  rowsApplied: { name: 'ferry_pipeline_rows_applied_total', type: 'counter', labels: ['pipeline', 'op'], exporter: 'pipeline', help: 'Row changes committed on the target, by op (insert, update, delete).' },
  batches: { name: 'ferry_pipeline_batches_total', type: 'counter', labels: ['pipeline'], exporter: 'pipeline', help: 'Batches committed on the target.' },
  batchSeconds: { name: 'ferry_pipeline_batch_seconds', type: 'histogram', labels: ['pipeline'], exporter: 'pipeline', help: 'Seconds from a batch\'s first transaction reaching Ferry to its commit on the target.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
  queueRows: { name: 'ferry_pipeline_queue_rows', type: 'gauge', labels: ['pipeline'], exporter: 'pipeline', help: 'Row changes read from the binlog and waiting in the select side\'s queue.' },
  errors: { name: 'ferry_pipeline_errors_total', type: 'counter', labels: ['pipeline', 'code'], exporter: 'pipeline', help: 'Failed pipeline attempts (retried or final), by Ferry error code.' },
  state: { name: 'ferry_pipeline_state', type: 'gauge', labels: ['pipeline', 'side', 'state'], exporter: 'pipeline', help: 'The pipeline\'s state on this process, one-hot over starting, running, retrying, stopped, failed; side: whole, select or load.' },
  pipeBytes: { name: 'ferry_pipe_bytes_total', type: 'counter', labels: ['pipeline', 'encoding'], exporter: 'pipeline', help: 'Batch payload bytes a split pipeline\'s load side received through the pipe: encoding="wire" as they crossed (compressed), "raw" before compression.' },
  pipeCompression: { name: 'ferry_pipe_compression_ratio', type: 'gauge', labels: ['pipeline'], exporter: 'pipeline', help: 'A split pipeline\'s pipe: payload bytes before compression over bytes as they crossed, over the current connection.' },
  arbiterActions: { name: 'ferry_arbiter_actions_total', type: 'counter', labels: ['action'], exporter: 'manager', help: 'Arbiter actions recorded in the cluster\'s event log since this manager became leader, by action (ROLLBACK, RESTART, PAUSE, START, STOP, WARNING). Leader only.' },
  nodeUp: { name: 'ferry_node_up', type: 'gauge', labels: ['node'], exporter: 'manager', help: '1 while the node is registered in ZooKeeper, 0 once a node this manager has seen is gone. Leader only.' },
  zkSession: { name: 'ferry_zk_session_state', type: 'gauge', labels: ['state'], exporter: 'zk', help: 'This process\'s ZooKeeper session, one-hot over connected, disconnected, expired (expired also while it has none).' },
} as const satisfies Record<string, SeriesSpec>;

type Series = typeof SERIES;
type MetricOf<S> = S extends { type: 'counter' } ? Counter : S extends { type: 'histogram' } ? Histogram : Gauge;
/** The live prom-client objects of every series, by their key in SERIES. */
export type FerrySeries = { [K in keyof Series]: MetricOf<Series[K]> };

/** Creates every series of SERIES in `registry`. */
export function createSeries(registry: Registry): FerrySeries {
  const made: Record<string, Counter | Gauge | Histogram> = {};
  for (const [key, spec] of Object.entries(SERIES) as Array<[string, SeriesSpec]>) {
    const common = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] };
    made[key] = spec.type === 'counter' ? new Counter(common) : spec.type === 'histogram' ? new Histogram({ ...common, buckets: spec.buckets ?? [] }) : new Gauge(common);
  }
  return made as FerrySeries;
}
