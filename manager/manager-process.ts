import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { NAME_PATTERN } from '../shared/cluster/model.ts';
import { FerryError, describeError } from '../shared/errors/index.ts';
import { silentLogger, type Logger } from '../shared/logging.ts';
import { serverTls } from '../shared/tls/tls-options.ts';
import type { SessionState } from '../shared/zk/zk-client.ts';
import type { ZkTlsOptions } from '../shared/zk/zk-tls-tunnel.ts';
import type { ManagerZkAuth } from '../shared/cluster/zk-access.ts';
import { restartChannel } from '../shared/cluster/arbiter/index.ts';
import { processKeys, type KeySource, type ProcessKeys } from '../shared/secrets/index.ts';
import { buildApi } from './api/server.ts';
import { AuditFile, AuditRecorder, type AuditRetention } from './audit/index.ts';
import { alarmMonitor } from './arbiter/index.ts';
import { LeaderDuties, type LeaderDutyFactory } from './leader-duties.ts';
import { verifyMonitor } from './verify/verify-monitor.ts';
import { validationScheduler } from './verify/validation-scheduler.ts';
import { ManagerSession } from './manager-session.ts';
import { migrateClearPasswords } from './password-migration.ts';
import { isPlacementPolicyName, PLACEMENT_POLICY_NAMES, type PlacementPolicyName } from './scheduler/policies/index.ts';
import { scheduler } from './scheduler/scheduler.ts';
import { FerryMetrics } from '../shared/metrics/registry.ts';
import { feedZkSessionState } from '../shared/metrics/zk-session-metric.ts';
import { ClusterMetrics } from './metrics/cluster-metrics.ts';
import { HISTORY_RETENTION_DEFAULTS, HistoryPruner, type HistoryRetention } from './config/history-retention.ts';

export interface ManagerOptions {
  /** ZooKeeper connect string, host:port[,host:port...][/chroot]. */
  zk: string;
  /** TLS to ZooKeeper's secureClientPorts (then named in `zk`). @default plain TCP */
  zkTls?: ZkTlsOptions;
  /** Bootstrap admin token (the CLI also reads FERRY_ADMIN_TOKEN). */
  adminToken: string;
  /** HTTP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Manager id, unique among managers. @default '<hostname>-<port>' */
  id?: string;
  /**
   * Serve the API over HTTPS only, with this certificate and key (PEM files, read and checked
   * once at start), and register an https:// URL. @default plain HTTP
   */
  tls?: { cert: string; key: string };
  /** ZooKeeper session timeout: how long a dead leader keeps leading. @default 10000 */
  sessionTimeoutMs?: number;
  /** Root logger; the manager logs through a child {component:'manager', manager}. @default silent */
  log?: Logger;
  /**
   * How long the work of a vanished node waits for it to come back (a restart, a deploy)
   * before it moves to another node. A node that shuts down cleanly does not wait.
   * @default 90000
   */
  protectionPeriodMs?: number;
  /** How the leader picks a node for a pipeline. @default 'least-loaded' */
  placementPolicy?: PlacementPolicyName;
  /** A live node that has not acked its assignment after this long raises a WARNING event. @default 30000 */
  ackTimeoutMs?: number;
  /** Where the leader POSTs alarm changes (and the API its manual warnings and clears). @default none: events and logs only */
  alarmWebhookUrl?: string;
  /**
   * Key file that seals data source passwords (shared/secrets; the CLI also reads
   * FERRY_SECRET_KEY_FILE). Without one, a password sent to the API is refused.
   * @default none
   */
  secretKeyFile?: string;
  /** What the leader runs. @default [the scheduler and the alarm monitor, configured by the options above] */
  duties?: readonly LeaderDutyFactory[];
  /** ZooKeeper credentials (the managers', and the nodes' to name in ACLs). @default none: world-open znodes (--zk-insecure) */
  zkAuth?: ManagerZkAuth;
  /** The audit log of API writes (manager/audit). @default keep 10000 entries, 90 days, no file */
  audit?: ManagerAuditOptions;
  /** GET /metrics without a token (--metrics-public). @default false: any valid token */
  metricsPublic?: boolean;
  /** Configuration history kept per entity (manager/config/history-retention.ts). @default HISTORY_RETENTION_DEFAULTS (100 versions, 90 days) */
  historyRetention?: Partial<HistoryRetention>;
}

export interface ManagerAuditOptions extends Partial<AuditRetention> {
  /** Also append every entry to this file as a JSON line (opened at start, created 0600). @default none */
  file?: string;
  /** Prune at most this often. @default 60000 */
  pruneIntervalMs?: number;
}

/** A manager running in this process. */
export interface RunningManager {
  id: string;
  /** Base URL of its API, e.g. http://127.0.0.1:41234 (https:// with tls) */
  url: string;
  isLeader(): boolean;
  /** Clean shutdown: API closed, leadership handed over at once, ZooKeeper session closed. */
  stop(): Promise<void>;
}

const RENEW_BACKOFF_MS = [200, 500, 1_000, 2_000, 5_000];

/** Starts a manager: ZooKeeper session, REST API, registration, election, leader duties. */
export async function startManager(options: ManagerOptions): Promise<RunningManager> {
  if (options.adminToken.length < 8) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: 'the admin token must be at least 8 characters' });
  if (options.id !== undefined && !new RegExp(NAME_PATTERN).test(options.id)) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `manager id '${options.id}' is not valid: letters, digits, '_', '.', '-', at most 64, starting with a letter or digit` });
  }
  for (const [name, value] of [['historyRetention.versions', options.historyRetention?.versions], ['historyRetention.days', options.historyRetention?.days]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${name} takes a whole number above 0, got ${value}` });
  }
  for (const [name, value] of [['protectionPeriodMs', options.protectionPeriodMs], ['ackTimeoutMs', options.ackTimeoutMs]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${name} takes whole milliseconds, 0 or more, got ${value}` });
  }
  if (options.placementPolicy !== undefined && !isPlacementPolicyName(options.placementPolicy)) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `placement policy '${String(options.placementPolicy)}' is not one of ${PLACEMENT_POLICY_NAMES.join(', ')}` });
  }
  const audit = options.audit ?? {};
  for (const [name, value] of [['audit.keep', audit.keep], ['audit.maxAgeMs', audit.maxAgeMs]] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `${name} takes a number above 0, got ${value}` });
  }
  if (audit.keep !== undefined && audit.keep > 50_000) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `audit.keep takes at most 50000 (ZooKeeper lists the entries in one answer), got ${audit.keep}` });
  // A bad key file stops the manager here, before it listens.
  const secrets = processKeys(options.secretKeyFile, {});
  const manager = new Manager(options, secrets);
  await manager.start();
  return manager;
}

class Manager implements RunningManager {
  id = '';
  url = '';
  private readonly log: Logger;
  private readonly duties: LeaderDuties;
  private readonly startedAt = new Date().toISOString();
  private audit: AuditRecorder | undefined;
  private session: ManagerSession | undefined;
  private app: FastifyInstance | undefined;
  private connected = true;
  private stopping = false;
  /** The current session's state for ferry_zk_session_state; 'expired' also before the first and while renewing. */
  private zkState: SessionState = 'expired';
  private readonly metrics = new FerryMetrics();

  constructor(
    private readonly options: ManagerOptions,
    private readonly secrets: ProcessKeys,
  ) {
    this.log = (options.log ?? silentLogger()).child({ component: 'manager' });
    this.duties = new LeaderDuties(options.duties ?? defaultDuties(options, secrets.keys), this.log);
    feedZkSessionState(this.metrics, () => this.zkState);
    new ClusterMetrics(this.metrics, { isLeader: () => this.isLeader(), zk: () => this.session?.zk, log: this.log });
  }

  isLeader(): boolean {
    return !this.stopping && this.connected && (this.session?.election.isLeader ?? false);
  }

  async start(): Promise<void> {
    const { options } = this;
    // Bad certificate files stop the start here, naming the file, before anything listens.
    const https = options.tls === undefined ? undefined : serverTls(options.tls, 'manager');
    this.audit = this.auditRecorder();
    // The API needs no session to start listening; its routes use whichever session is current.
    this.app = await buildApi({
      managerId: () => this.id,
      adminToken: options.adminToken,
      log: this.log,
      zk: () => this.current().zk,
      store: () => this.current().store,
      isLeader: () => this.isLeader(),
      secrets: this.secrets.keys,
      audit: this.audit,
      metrics: { metrics: this.metrics, public: options.metricsPublic === true },
      history: new HistoryPruner(() => this.current().zk, { ...HISTORY_RETENTION_DEFAULTS, ...options.historyRetention }, this.log),
      ...(options.alarmWebhookUrl === undefined ? {} : { alarmWebhookUrl: options.alarmWebhookUrl }),
    }, https === undefined ? {} : { https });
    try {
      const host = options.host ?? '127.0.0.1';
      await this.app.listen({ host, port: options.port ?? 0 }).catch((error: unknown) => {
        // A port in use (EADDRINUSE) or an address not of this host (EADDRNOTAVAIL) is the
        // operator's to fix, not a bug: name the address.
        const code = (error as { code?: unknown }).code;
        if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
          const detail = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : 'the address is not one of this host';
          throw new FerryError('FERRY_ERR_MANAGER_LISTEN', { host, port: options.port ?? 0, detail }, { cause: error });
        }
        throw error;
      });
      const address = this.app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 0;
      this.id = options.id ?? defaultId(port);
      // What nodes find in /managers/<id>: the scheme tells them to speak TLS, and they never fall back.
      this.url = `${https === undefined ? 'http' : 'https'}://${advertisedHost(host)}:${port}`;
      this.log.setBindings({ manager: this.id });
      const session = await this.openSession();
      if (this.secrets.path === undefined) this.log.warn('no secret key file (--secret-key-file, FERRY_SECRET_KEY_FILE): data source passwords are refused');
      await migrateClearPasswords(session.store, this.secrets.keys, this.log);
      this.log.info({ url: this.url, secretKeyFile: this.secrets.path }, 'manager started');
    } catch (error) {
      await this.app.close();
      await this.audit.close(0);
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.duties.stop();
    await this.app?.close();
    // The last requests' entries go to ZooKeeper before the session closes.
    await this.audit?.close();
    await this.session?.close();
    this.log.info('manager stopped');
  }

  /** The audit recorder; an --audit-file that cannot be opened stops the start here (FERRY_ERR_AUDIT_FILE). */
  private auditRecorder(): AuditRecorder {
    const { file, pruneIntervalMs, ...retention } = this.options.audit ?? {};
    const log = this.log.child({ component: 'audit' });
    return new AuditRecorder(() => this.current().zk, () => this.id, log, {
      retention,
      ...(file === undefined ? {} : { file: AuditFile.open(file, log) }),
      ...(pruneIntervalMs === undefined ? {} : { pruneIntervalMs }),
    });
  }

  private current(): ManagerSession {
    if (!this.session) throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'session', path: '/', detail: 'the manager has no ZooKeeper session yet' });
    return this.session;
  }

  private openSession(): Promise<ManagerSession> {
    const session: { value?: ManagerSession } = {};
    return ManagerSession.open({
      connectString: this.options.zk,
      ...(this.options.zkTls ? { tls: this.options.zkTls } : {}),
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? 10_000,
      ...(this.options.zkAuth ? { zkAuth: this.options.zkAuth } : {}),
      managerId: this.id,
      url: this.url,
      startedAt: this.startedAt,
      log: this.log,
      onLeadership: () => this.updateDuties(),
      onState: (state) => this.onSessionState(session.value, state),
    }).then(async (opened) => {
      if (this.stopping) {
        // stop() ran while this session was opening (after an expiry): do not leak it.
        await opened.close();
        throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'session', path: '/', detail: 'the manager is stopping' });
      }
      session.value = opened;
      this.session = opened;
      this.connected = true;
      this.zkState = 'connected';
      this.updateDuties();
      return opened;
    });
  }

  /** Duties run while this manager leads and is connected; a partitioned leader stops writing. */
  private updateDuties(): void {
    const session = this.session;
    if (session && this.isLeader()) void this.duties.start({ managerId: this.id, zk: session.zk, store: session.store });
    else void this.duties.stop();
  }

  private onSessionState(session: ManagerSession | undefined, state: SessionState): void {
    if (session === undefined || session !== this.session || session.ended || this.stopping) return;
    this.log.info({ state }, 'ZooKeeper session state');
    this.zkState = state;
    if (state === 'disconnected') {
      this.connected = false;
      this.updateDuties();
    } else if (state === 'connected') {
      this.connected = true;
      session.election.check().then(() => this.updateDuties(), (error: unknown) => this.log.warn({ detail: describeError(error) }, 'election check failed'));
    } else {
      void this.renewSession(session);
    }
  }

  /** After expiry: a new client, registration and candidate, retried until it works or we stop. */
  private async renewSession(expired: ManagerSession): Promise<void> {
    this.log.warn('ZooKeeper session expired; opening a new one');
    expired.abandon();
    this.connected = false;
    await this.duties.stop();
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await this.openSession();
        this.log.info('ZooKeeper session renewed');
        return;
      } catch (error) {
        this.log.warn({ detail: describeError(error), attempt }, 'could not open a new ZooKeeper session; retrying');
        await sleep(RENEW_BACKOFF_MS[Math.min(attempt, RENEW_BACKOFF_MS.length - 1)]);
      }
    }
  }
}

/**
 * The leader's duties: the scheduler (with the node monitor, the placement policy, and the
 * arbiter's RESTART for the channels of a lost node), the alarm monitor and the verify monitor.
 */
function defaultDuties(options: ManagerOptions, secrets: KeySource): LeaderDutyFactory[] {
  return [
    scheduler({
      restartChannel,
      secrets,
      ...(options.protectionPeriodMs === undefined ? {} : { protectionPeriodMs: options.protectionPeriodMs }),
      ...(options.placementPolicy === undefined ? {} : { placementPolicy: options.placementPolicy }),
      ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
    }),
    alarmMonitor(options.alarmWebhookUrl === undefined ? {} : { webhookUrl: options.alarmWebhookUrl }),
    verifyMonitor(options.alarmWebhookUrl === undefined ? {} : { webhookUrl: options.alarmWebhookUrl }),
    validationScheduler(),
  ];
}

/** '<hostname>-<port>', fit for the name pattern. */
function defaultId(port: number): string {
  const host = hostname().toLowerCase().replace(/[^a-z0-9_.-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'manager';
  return `${host.slice(0, 57)}-${port}`;
}

/** A wildcard address is not reachable by others; name the machine instead. */
function advertisedHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host.includes(':') ? `[${host}]` : host;
}
