import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { createHash } from 'node:crypto';
import { resolveClusterPipeline, storedPassword, type PasswordOf } from '../../shared/cluster/resolve-cluster-pipeline.ts';
import type { AssignmentRecord, ConfigSnapshot, PermitRecord, SelectAssignmentRecord } from '../../shared/cluster/model.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import { parseHostPort } from '../../shared/host-port.ts';
import { WHOLE, type PipelineRole } from '../pipeline/pipeline-role.ts';

/**
 * What a node knows of the cluster, read from ZooKeeper or from its local cache: the
 * configuration, every assignment (with the znode version a node needs to ack it) and every
 * permit. The node runs what desiredPipelines() derives from it, nothing else.
 */
export interface AssignmentEntry {
  record: AssignmentRecord;
  /** znode data version for the ack's compare-and-set; -1 when read from the cache (no ack). */
  version: number;
}

/** The select side of a split pipeline (/select-assignments/<pipeline>). */
export interface SelectAssignmentEntry {
  record: SelectAssignmentRecord;
  version: number;
}

export interface ClusterView {
  snapshot: ConfigSnapshot;
  assignments: Record<string, AssignmentEntry>;
  /** Select sides of split pipelines, by pipeline. */
  selectAssignments: Record<string, SelectAssignmentEntry>;
  permits: Record<string, PermitRecord>;
}

/** Opens a split pipeline's sealed pipe secret (shared/secrets/pipe-secret.ts). */
export type PipeSecretOf = (pipeline: string, sealed: string) => Buffer;

const noPipeSecrets: PipeSecretOf = (pipeline) => {
  throw new FerryError('FERRY_ERR_SECRET_NO_KEY', { holder: 'this node', action: 'open', what: `the pipe secret of pipeline '${pipeline}'` });
};

/** One pipeline this node should run now, resolved to its runtime form (or why it cannot be). */
export interface DesiredPipeline {
  /** Where the runner set keeps it: the pipeline's name, `select:<name>` for a select side. */
  key: string;
  name: string;
  channel: string;
  epoch: number;
  /**
   * Identity of what runs: a hash of the resolved pipeline's JSON (epoch included; a hash
   * because it holds the opened passwords). A different fingerprint means stop and start
   * again; an equal one means leave it alone (a password sealed again under a new key is equal).
   */
  fingerprint: string;
  /** The whole pipeline, or one side of a split one. */
  role: PipelineRole;
  pipeline?: RuntimePipeline;
  /** Set when the assignment cannot be resolved (channel or data source missing, bad spec). */
  error?: FerryError;
}

/** Assignments naming this node, whatever their permit: load sides and whole pipelines. */
export function assignmentsOf(view: ClusterView, nodeId: string): AssignmentEntry[] {
  return Object.values(view.assignments).filter((entry) => entry.record.node === nodeId);
}

/** Select sides of split pipelines naming this node, whatever their permit. */
export function selectAssignmentsOf(view: ClusterView, nodeId: string): SelectAssignmentEntry[] {
  return Object.values(view.selectAssignments).filter((entry) => entry.record.node === nodeId);
}

/** The key of a select side in the runner set: a node may hold both sides of a pipeline in passing. */
export const selectKey = (pipeline: string): string => `select:${pipeline}`;

/**
 * The pipelines to run: assigned to this node (whole, or one side of a split pipeline) and
 * with their channel's permit at START. PAUSE, STOP and a missing permit all mean "not now";
 * the assignment stays as it is. `passwordOf` opens the sealed data source passwords and
 * `pipeSecretOf` the pipe secrets, in memory only.
 */
export function desiredPipelines(view: ClusterView, nodeId: string, passwordOf: PasswordOf = storedPassword, pipeSecretOf: PipeSecretOf = noPipeSecrets): Map<string, DesiredPipeline> {
  const desired = new Map<string, DesiredPipeline>();
  const add = (key: string, record: AssignmentRecord | SelectAssignmentRecord, role: () => PipelineRole) => {
    if (view.permits[record.channel]?.status !== 'START') return;
    const base = { key, name: record.pipeline, channel: record.channel, epoch: record.epoch };
    // What the role depends on, in the stored (sealed) form: a new secret or peer restarts the side.
    const placement = 'pipe' in record && record.pipe !== undefined ? { side: key === record.pipeline ? 'load' : 'select', ...record.pipe } : { side: 'whole' };
    try {
      const pipeline = resolveClusterPipeline(view.snapshot, record.pipeline, record.epoch, passwordOf);
      const fingerprint = createHash('sha256').update(JSON.stringify({ pipeline, placement })).digest('hex');
      desired.set(key, { ...base, pipeline, role: role(), fingerprint });
    } catch (error) {
      const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: describeError(error) }, { cause: error });
      // Keyed by the configuration epoch too: an edit that may fix it gets another try.
      const fingerprint = JSON.stringify({ epoch: record.epoch, configEpoch: view.snapshot.epoch, placement, error: failure.code });
      desired.set(key, { ...base, role: WHOLE, fingerprint, error: failure });
    }
  };
  for (const { record } of assignmentsOf(view, nodeId)) {
    const pipe = record.pipe;
    add(record.pipeline, record, () => (pipe === undefined ? WHOLE : { side: 'load', secret: pipeSecretOf(record.pipeline, pipe.secret), selectNode: pipe.selectNode, selectEpoch: pipe.selectEpoch }));
  }
  for (const { record } of selectAssignmentsOf(view, nodeId)) {
    const { pipe } = record;
    add(selectKey(record.pipeline), record, () => {
      const address = parseHostPort(pipe.address);
      if (address === undefined || address.port === 0) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `the select assignment of ${record.pipeline} names pipe address '${pipe.address}' for node ${pipe.loadNode}: HOST:PORT expected` });
      const { host, port } = address;
      return { side: 'select', secret: pipeSecretOf(record.pipeline, pipe.secret), epoch: record.epoch, loadNode: pipe.loadNode, loadEpoch: pipe.loadEpoch, host, port, tls: pipe.tls };
    });
  }
  return desired;
}
