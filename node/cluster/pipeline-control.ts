import { acknowledgeRollback } from '../../shared/cluster/arbiter/index.ts';
import { storedPassword, type PasswordOf } from '../../shared/cluster/resolve-cluster-pipeline.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import { withZkDeadline } from '../../shared/timeouts.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { PipelineRole } from '../pipeline/pipeline-role.ts';
import type { RunnerOptions } from '../pipeline/pipeline-runner.ts';
import { AppliedRecorder } from './applied-recorder.ts';
import { arbiterActions } from './arbiter-link.ts';
import { desiredPipelines, type ClusterView, type DesiredPipeline, type PipeSecretOf } from './cluster-view.ts';
import { FailureEscalator, type ArbiterActions } from './failure-escalator.ts';
import type { NodeAgentOptions } from './node-options.ts';
import { RollbackResponder } from './rollback-responder.ts';
import { RunnerSet, type ManagedRunner } from './runner-set.ts';
import { SessionLease } from './session-lease.ts';

/** What a node adds to a PipelineRunner's options. */
export type ClusterRunnerOptions = Required<Pick<RunnerOptions, 'retryInternally' | 'beforeCommit' | 'idleTransactionTimeoutS' | 'ranBefore' | 'onApplied'>>;

/** Makes the runner of a whole pipeline or of one side of a split one (`role`). */
export type ClusterRunnerFactory = (pipeline: RuntimePipeline, options: ClusterRunnerOptions, role: PipelineRole) => ManagedRunner;

/**
 * MariaDB ends a node's target session idle this long inside a transaction. A node frozen
 * mid-batch (SIGSTOP, a VM pause) would otherwise keep the fence row's shared lock, and the
 * rows it wrote locked, for as long as it sleeps. The successor's claim ends such a batch
 * sooner when the target user has PROCESS (node/load/stale-owner-breaker.ts); this needs
 * nothing. Equal to the pool's lock wait timeout: a healthy batch waits for its
 * predecessor's commit no longer than that.
 */
const FROZEN_TRANSACTION_LIMIT_S = 20;
const MAX_BACKOFF_MS = 60_000;

/**
 * What runs in this node and how it reacts when things go wrong: the runner set; the session
 * lease (a node in doubt about its ZooKeeper session aborts everything and commits nothing);
 * ROLLBACK acknowledgements; the ROLLBACK / RESTART / PAUSE a failing pipeline raises.
 */
export class PipelineControl {
  readonly runners: RunnerSet;
  private readonly lease: SessionLease;
  private readonly rollbacks: RollbackResponder;
  private readonly escalator: FailureEscalator;
  private readonly applied: AppliedRecorder;
  private session: { zk: ZkClient; arbiter: ArbiterActions } | undefined;
  private readonly nodeId: string;

  constructor(options: NodeAgentOptions, createRunner: ClusterRunnerFactory, private readonly log: Logger, onChange: () => void, private readonly passwordOf: PasswordOf = storedPassword, private readonly pipeSecretOf?: PipeSecretOf) {
    this.nodeId = options.id;
    this.lease = new SessionLease({
      nodeId: options.id,
      log,
      onLost: () => void this.runners.abort(() => true, 'ZooKeeper session in doubt'),
      onRegained: onChange,
    });
    this.applied = new AppliedRecorder({ nodeId: options.id, zk: () => this.session?.zk, log });
    const runnerOptions = { retryInternally: false, beforeCommit: () => this.lease.assertCommitAllowed(), idleTransactionTimeoutS: FROZEN_TRANSACTION_LIMIT_S };
    this.escalator = new FailureEscalator({
      nodeId: options.id,
      log,
      policy: { backoffMs: options.arbiterBackoffMs, maxBackoffMs: MAX_BACKOFF_MS, maxRestarts: options.maxRestarts },
      arbiter: () => (this.lease.holding ? undefined : this.session?.arbiter),
      retry: (pipeline) => this.runners.retry(pipeline),
      stillFailed: (desired) => this.runners.stillFailed(desired),
    });
    this.runners = new RunnerSet((pipeline, role) => createRunner(pipeline, { ...runnerOptions, ...this.applied.optionsFor(pipeline) }, role), log, onChange, (failure) => this.escalator.handle(failure));
    const acknowledge = (channel: string, rollbackId: string) =>
      this.session ? acknowledgeRollback(this.session.zk, channel, options.id, rollbackId) : Promise.reject(new FerryError('FERRY_ERR_NODE_NO_SESSION', { node: options.id, what: 'acknowledging a ROLLBACK' }));
    this.rollbacks = new RollbackResponder(options.id, {
      abortChannel: (channel, reason) => this.runners.abort((pipeline) => pipeline.channel === channel, reason),
      hasChannel: (channel) => this.runners.hasChannel(channel),
    }, acknowledge, log);
  }

  /** True while nothing may run: the node had a session and cannot vouch for it now. */
  get holding(): boolean {
    return this.lease.holding;
  }

  /** A new session, registered: the lease starts, acknowledgements are owed again. */
  sessionStarted(zk: ZkClient, log: Logger): void {
    this.session = { zk, arbiter: arbiterActions(zk, log, this.nodeId) };
    this.rollbacks.newSession();
    this.lease.begin({ sessionTimeoutMs: zk.sessionTimeoutMs, onState: (listener) => zk.onState(listener), probe: () => zk.exists(zkPaths.root) });
  }

  sessionLost(): void {
    this.session = undefined;
    this.lease.end();
  }

  /**
   * Makes the runners follow `view` and returns what should run. A view just read from
   * ZooKeeper (`fresh`) is first checked for ROLLBACKs, so that their PAUSE aborts runners
   * rather than stopping them cleanly (which would commit). Nothing runs while holding.
   */
  follow(view: ClusterView, nodeId: string, fresh: boolean): Map<string, DesiredPipeline> {
    if (fresh) this.rollbacks.respond(view);
    const desired = this.lease.holding ? new Map<string, DesiredPipeline>() : desiredPipelines(view, nodeId, this.passwordOf, this.pipeSecretOf);
    this.runners.setDesired(desired);
    return desired;
  }

  /** Shutdown: no more arbiter actions, runners stop cleanly (batches in flight commit). */
  async stopAll(): Promise<void> {
    this.escalator.close();
    await this.runners.stopAll();
    await withZkDeadline(this.applied.close(), 3_000, 'recording the applied positions').catch((error: unknown) => this.log.warn({ err: error }, 'applied positions not recorded at shutdown'));
    this.lease.close();
  }
}
