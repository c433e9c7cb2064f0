import { HANDOVER_WAIT_MS, waitForHandover } from './handover-wait.ts';
import { ConfigStore } from '../../shared/cluster/config-store.ts';
import type { PasswordOf } from '../../shared/cluster/resolve-cluster-pipeline.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import { withZkDeadline } from '../../shared/timeouts.ts';
import type { Logger } from '../../shared/logging.ts';
import type { SessionState, ZkClient } from '../../shared/zk/zk-client.ts';
import { AssignmentWatcher } from './assignment-watcher.ts';
import { ClusterCache, cacheContent, viewFromCache } from './cluster-cache.ts';
import { assignmentsOf, selectAssignmentsOf, type ClusterView, type DesiredPipeline, type PipeSecretOf } from './cluster-view.ts';
import { readManagerUrls } from './manager-list.ts';
import type { NodeAgentOptions } from './node-options.ts';
import { PipelineControl, type ClusterRunnerFactory } from './pipeline-control.ts';
import { Registration } from './registration.ts';
import { resourcePressure } from './resource-pressure.ts';
import type { RunnerSet } from './runner-set.ts';
import { StatsReporter, type HttpPost } from './stats-reporter.ts';
import { HealthProber } from './health-prober.ts';
import { ZkSessionKeeper } from './zk-session.ts';
import { VerifyWorker } from './verify-worker.ts';
import { verifyPart } from '../verify/verify-part.ts';
import { openLocalSource, type OpenedSource } from '../verify/local-source.ts';
import { desiredPipelines } from './cluster-view.ts';
import { expectManagedLayout, nodeAccess } from '../../shared/cluster/zk-access.ts';
import type { ZkAccess } from '../../shared/zk/zk-acl.ts';
import type { VerifyTableResult } from '../../shared/cluster/verify-jobs.ts';

/** What is bound to one ZooKeeper session; replaced after expiry. */
interface LiveSession {
  zk: ZkClient;
  watcher: AssignmentWatcher;
  registration: Registration;
}

export interface NodeAgentDeps {
  log: Logger;
  createRunner: ClusterRunnerFactory;
  /** Told once per registration (the command prints `node <id> registered`). */
  onRegistered?: () => void;
  post?: HttpPost;
  /** Opens a data source's sealed password (shared/secrets) when a pipeline is resolved. @default the stored form */
  passwordOf?: PasswordOf;
  /** Opens a split pipeline's sealed pipe secret. @default none: split pipelines fail with FERRY_ERR_SECRET_NO_KEY */
  pipeSecretOf?: PipeSecretOf;
  /**
   * The source of a pipeline whose load side runs here, for a verify job: through the pipe to
   * its select node. @default none: split pipelines' verify parts fail with FERRY_ERR_VERIFY_NO_PIPE
   */
  verifySourceOverPipe?: (desired: DesiredPipeline) => Promise<OpenedSource>;
}

/**
 * The node process: registers in ZooKeeper, runs the pipelines assigned to it whose channel
 * permit is START, acks them, reports stats to a manager, and keeps a local cache so that it
 * can start and keep replicating without ZooKeeper. See node/cluster/README.md.
 */
export class NodeAgent {
  private readonly log: Logger;
  private readonly control: PipelineControl;
  private readonly runners: RunnerSet;
  private readonly cache: ClusterCache;
  private readonly stats: StatsReporter;
  private readonly health: HealthProber;
  private readonly verify: VerifyWorker;
  private readonly session: ZkSessionKeeper;
  /** None: anonymous, world-open znodes (--zk-insecure). */
  private readonly access: ZkAccess | undefined;
  private view: ClusterView | undefined;
  private live: LiveSession | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private safety: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private again = false;
  /** The process's start, kept across sessions. */
  private readonly startedAt = new Date().toISOString();
  private stopping: Promise<void> | undefined;
  private finish!: (error?: Error) => void;
  /** Resolves after a clean shutdown; rejects when the node had to give up (id taken). */
  readonly done: Promise<void>;

  constructor(
    private readonly options: NodeAgentOptions,
    private readonly deps: NodeAgentDeps,
  ) {
    this.log = deps.log.child({ component: 'node', node: options.id });
    this.access = options.zkAuth && nodeAccess(options.zkAuth);
    this.done = new Promise<void>((resolve, reject) => (this.finish = (error) => (error === undefined ? resolve() : reject(error))));
    this.control = new PipelineControl(options, deps.createRunner, this.log, () => this.schedule(), deps.passwordOf, deps.pipeSecretOf);
    this.runners = this.control.runners;
    this.cache = new ClusterCache(options.cacheDir, this.log);
    this.stats = new StatsReporter({
      nodeId: options.id,
      ...(options.token === undefined ? {} : { token: options.token }),
      staticManagers: options.managers,
      ...(options.managerTls === undefined ? {} : { tls: options.managerTls }),
      listManagers: () => (this.live ? withZkDeadline(readManagerUrls(this.live.zk), 5_000, 'listing managers') : Promise.reject(new FerryError('FERRY_ERR_NODE_NO_SESSION', { node: options.id, what: 'listing managers' }))),
      collect: () => this.runners.stats(options.id),
      intervalMs: options.statsIntervalMs,
      ...(deps.post ? { post: deps.post } : {}),
      log: deps.log.child({ component: 'node-stats', node: options.id }),
    });
    this.health = new HealthProber({ nodeId: options.id, dc: options.dc, ...(options.healthIntervalMs === undefined ? {} : { intervalMs: options.healthIntervalMs }), zk: () => this.live?.zk, snapshot: () => this.view?.snapshot, ...(deps.passwordOf ? { passwordOf: deps.passwordOf } : {}), log: deps.log.child({ component: 'node-health', node: options.id }) });
    this.verify = new VerifyWorker({
      nodeId: options.id,
      resolve: (pipeline) => this.verifiable(pipeline),
      run: (desired, signal) => this.runVerify(desired, signal),
      log: deps.log.child({ component: 'node-verify', node: options.id }),
    });
    this.session = new ZkSessionKeeper(
      { connectString: options.zk, sessionTimeoutMs: options.sessionTimeoutMs, connectTimeoutMs: options.connectTimeoutMs, ...(options.zkTls ? { tls: options.zkTls } : {}), ...(this.access ? { access: this.access } : {}) },
      {
        onSession: (zk, closing) => this.attach(zk, closing),
        onSessionLost: () => {
          this.live = undefined;
          this.control.sessionLost();
          this.verify.sessionLost();
        },
        onUnreachable: (error, attempt) => void this.unreachable(error, attempt),
        onFatal: (error) => void this.shutdown(error),
      },
      this.log,
    );
  }

  /** This node's ZooKeeper session, for ferry_zk_session_state. */
  get zkState(): SessionState {
    return this.session.state;
  }

  start(): void {
    if (!this.options.token) this.log.warn('no --token and no FERRY_NODE_TOKEN: managers will refuse this node\'s stats');
    this.session.start();
    this.stats.start();
    this.health.start();
    this.safety = setInterval(() => this.schedule(), this.options.safetyReconcileMs);
  }

  /** Clean shutdown: 'leaving' first (managers move the work at once), runners stop cleanly, then the session ends. */
  shutdown(fatal?: unknown): Promise<void> {
    this.stopping ??= (async () => {
      if (fatal !== undefined) this.log.error({ code: isFerryError(fatal) ? fatal.code : undefined, err: fatal }, 'node gives up');
      clearInterval(this.safety);
      clearTimeout(this.debounce);
      this.stats.stop();
      await this.health.stop();
      await this.verify.close();
      const live = this.live;
      if (live) await withZkDeadline(live.registration.setState('leaving'), 3_000, "setting state 'leaving'").catch((error: unknown) => this.log.warn({ err: error }, "could not set state 'leaving'"));
      this.log.info({ pipelines: this.runners.names() }, 'node stopping: pipelines finish their batch in flight');
      await this.control.stopAll();
      if (live && fatal === undefined) {
        const handedOver = await waitForHandover(live.zk, this.options.id);
        if (!handedOver) this.log.warn({ waitedMs: HANDOVER_WAIT_MS }, 'no manager moved this node\'s work yet; leaving anyway (it moves after the protection period)');
      }
      await this.session.close();
      await this.reconciling;
      this.log.info('node stopped');
      this.finish(fatal === undefined ? undefined : fatal instanceof Error ? fatal : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(fatal) }));
    })();
    return this.stopping;
  }

  /** A new session: make the layout, register, watch; then reconcile from ZooKeeper. */
  private async attach(zk: ZkClient, closing: AbortSignal): Promise<void> {
    // A node with credentials joins only a layout the managers made or migrated.
    if (this.access) await expectManagedLayout(zk);
    const store = await ConfigStore.open(zk);
    const { id, dc, address, capacity, version, pipe } = this.options;
    // The previous process of this id may hold the znode until its session expires.
    const waitMs = Math.max(this.options.sessionTimeoutMs, zk.sessionTimeoutMs) + 2_000;
    const record = { id, dc, address, capacity: { pipelines: capacity }, state: 'up' as const, version, startedAt: this.startedAt, ...(pipe === undefined ? {} : { pipe }) };
    const registration = await Registration.register(zk, record, waitMs, this.log, closing);
    this.live = { zk, registration, watcher: new AssignmentWatcher(zk, store, () => this.schedule(), this.log) };
    this.control.sessionStarted(zk, this.log);
    this.verify.sessionStarted(zk);
    this.log.info({ session: zk.sessionId, dc, capacity }, 'node registered');
    this.deps.onRegistered?.();
    this.schedule();
  }

  /** A pipeline whose load side (or whole) this node holds, resolved whatever its channel's permit (a stopped channel can be verified too). */
  private verifiable(pipeline: string): DesiredPipeline | undefined {
    const view = this.view;
    const channel = view?.assignments[pipeline]?.record.channel;
    if (view === undefined || channel === undefined) return undefined;
    const started: ClusterView = { ...view, permits: { ...view.permits, [channel]: { status: 'START', by: 'verify', at: '' } } };
    return desiredPipelines(started, this.options.id, this.deps.passwordOf, this.deps.pipeSecretOf).get(pipeline);
  }

  private async runVerify(desired: DesiredPipeline, signal: AbortSignal): Promise<VerifyTableResult[]> {
    const pipeline = desired.pipeline!;
    let source: OpenedSource;
    if (desired.role.side === 'whole') source = await openLocalSource(pipeline);
    else if (this.deps.verifySourceOverPipe) source = await this.deps.verifySourceOverPipe(desired);
    else throw new FerryError('FERRY_ERR_VERIFY_NO_PIPE', { pipeline: desired.name, detail: 'this node has no pipe' });
    try {
      const closeSource = () => (source.abort ? source.abort() : void source.close());
      signal.addEventListener('abort', closeSource, { once: true });
      try {
        return await verifyPart(pipeline, source.side, this.log, this.options.verify ?? {}, signal);
      } finally {
        signal.removeEventListener('abort', closeSource);
      }
    } finally {
      await source.close();
    }
  }

  private async unreachable(error: unknown, attempt: number): Promise<void> {
    const detail = { attempt, connect: this.options.zk, err: error };
    if (this.view) {
      if (attempt === 1) this.log.warn(detail, 'ZooKeeper unreachable: replication goes on from the last known state');
      return;
    }
    const cached = await this.cache.load();
    if (cached && !this.view) {
      this.view = viewFromCache(cached);
      this.log.warn({ ...detail, cache: this.cache.path, savedAt: cached.savedAt }, 'ZooKeeper unreachable: running from the local cache');
      this.schedule();
    } else if (!this.view) {
      const noConfig = new FerryError('FERRY_ERR_NODE_NO_CONFIG', { cacheDir: this.options.cacheDir });
      this.log.error({ ...detail, code: noConfig.code, cacheDir: this.options.cacheDir, workaround: noConfig.workaround }, 'ZooKeeper unreachable and no configuration cache: nothing to run yet, still trying');
    }
  }

  /** Reconciles soon; changes arriving together are handled once. */
  private schedule(): void {
    if (this.stopping || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      if (this.reconciling) {
        this.again = true;
        return;
      }
      this.reconciling = this.reconcile().finally(() => {
        this.reconciling = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    }, this.options.debounceMs);
  }

  private async reconcile(): Promise<void> {
    const live = this.live;
    let fresh: ClusterView | undefined;
    if (live) {
      try {
        fresh = await withZkDeadline(live.watcher.read(), 15_000, 'reading the cluster state');
        this.view = fresh;
      } catch (error) {
        this.log.warn({ err: error }, 'cannot read the cluster state from ZooKeeper, keeping the last one');
      }
    }
    if (!this.view || this.stopping) return;
    const desired = this.control.follow(this.view, this.options.id, fresh !== undefined);
    if (!live || !fresh || this.control.holding) return;
    try {
      await this.ack(live, fresh, desired);
      const assigned = assignmentsOf(fresh, this.options.id).length + selectAssignmentsOf(fresh, this.options.id).length;
      if (!this.stopping) {
        await live.registration.ensure(this.log);
        const pressure = resourcePressure(this.options.cacheDir, assigned, this.options.capacity);
        if (pressure !== undefined) this.log.debug({ pressure }, "reporting 'full': no new work");
        await live.registration.setState(pressure === undefined ? 'up' : 'full');
      }
      await this.cache.save(cacheContent(fresh, this.options.id));
    } catch (error) {
      // The safety reconcile tries again; no tighter loop on a persistent failure.
      this.log.warn({ err: error }, 'reconcile follow-up failed');
    }
  }

  /** Marks 'acked' what this node runs now (whole pipelines and either side), by compare-and-set on the version it read. */
  private async ack(live: LiveSession, view: ClusterView, desired: Map<string, DesiredPipeline>): Promise<void> {
    for (const want of desired.values()) {
      const select = want.role.side === 'select';
      const entry = select ? view.selectAssignments[want.name] : view.assignments[want.name];
      if (!entry || entry.record.state !== 'pending' || entry.version < 0 || !this.runners.isRunning(want.key, want.fingerprint)) continue;
      const acked = { ...entry.record, state: 'acked' as const, at: new Date().toISOString() };
      try {
        await live.zk.setData(select ? zkPaths.selectAssignment(want.name) : zkPaths.assignment(want.name), JSON.stringify(acked), entry.version);
        this.log.info({ pipeline: want.name, epoch: want.epoch, side: want.role.side }, 'assignment acked');
      } catch (error) {
        // Changed since the read: the data watch brings the new record, decide again then.
        if (!isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION') && !isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) throw error;
        this.log.info({ pipeline: want.name }, 'assignment changed while acking, reading it again');
        this.schedule();
      }
    }
  }
}
