import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { createHash } from 'node:crypto';
import { resolveClusterPipeline, storedPassword, type PasswordOf } from '../../shared/cluster/resolve-cluster-pipeline.ts';
import type { AssignmentRecord, ConfigSnapshot, PermitRecord } from '../../shared/cluster/model.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';

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

export interface ClusterView {
  snapshot: ConfigSnapshot;
  assignments: Record<string, AssignmentEntry>;
  permits: Record<string, PermitRecord>;
}

/** One pipeline this node should run now, resolved to its runtime form (or why it cannot be). */
export interface DesiredPipeline {
  name: string;
  channel: string;
  epoch: number;
  /**
   * Identity of what runs: a hash of the resolved pipeline's JSON (epoch included; a hash
   * because it holds the opened passwords). A different fingerprint means stop and start
   * again; an equal one means leave it alone (a password sealed again under a new key is equal).
   */
  fingerprint: string;
  pipeline?: RuntimePipeline;
  /** Set when the assignment cannot be resolved (channel or data source missing, bad spec). */
  error?: FerryError;
}

/** Assignments naming this node, whatever their permit. */
export function assignmentsOf(view: ClusterView, nodeId: string): AssignmentEntry[] {
  return Object.values(view.assignments).filter((entry) => entry.record.node === nodeId);
}

/**
 * The pipelines to run: assigned to this node and with their channel's permit at START.
 * PAUSE, STOP and a missing permit all mean "not now"; the assignment stays as it is.
 * `passwordOf` opens the sealed data source passwords, in memory only.
 */
export function desiredPipelines(view: ClusterView, nodeId: string, passwordOf: PasswordOf = storedPassword): Map<string, DesiredPipeline> {
  const desired = new Map<string, DesiredPipeline>();
  for (const { record } of assignmentsOf(view, nodeId)) {
    if (view.permits[record.channel]?.status !== 'START') continue;
    const base = { name: record.pipeline, channel: record.channel, epoch: record.epoch };
    try {
      const pipeline = resolveClusterPipeline(view.snapshot, record.pipeline, record.epoch, passwordOf);
      desired.set(record.pipeline, { ...base, pipeline, fingerprint: createHash('sha256').update(JSON.stringify(pipeline)).digest('hex') });
    } catch (error) {
      const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: describeError(error) }, { cause: error });
      // Keyed by the configuration epoch too: an edit that may fix it gets another try.
      const fingerprint = JSON.stringify({ epoch: record.epoch, configEpoch: view.snapshot.epoch, error: failure.code });
      desired.set(record.pipeline, { ...base, fingerprint, error: failure });
    }
  }
  return desired;
}
