import { gtidBehind } from '../../shared/cluster/gtid-behind.ts';
import type { DataSourceHealthRecord } from '../../shared/cluster/health-model.ts';
import type { ConfigSnapshot, DataSourceSpecT, NodeRecord } from '../../shared/cluster/model.ts';
import { storedPassword, type PasswordOf } from '../../shared/cluster/resolve-cluster-pipeline.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { readRecord } from '../../shared/cluster/zk-records.ts';
import { checkTlsFields } from '../../shared/config/mysql-tls.ts';
import type { MysqlEndpoint } from '../../shared/config/mysql-url.ts';
import { FerryError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { withZkDeadline } from '../../shared/timeouts.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { probeMember } from './member-probe.ts';

/** @default 3000 */
export const HEALTH_INTERVAL_MS = 3_000;

export interface HealthProberOptions {
  nodeId: string;
  dc: string;
  /** Between the end of one round and the start of the next. @default HEALTH_INTERVAL_MS */
  intervalMs?: number;
  /** The live ZooKeeper session, if any: no session, no measurement (nothing to write to). */
  zk: () => ZkClient | undefined;
  /** The configuration the node follows now. */
  snapshot: () => ConfigSnapshot | undefined;
  /** Opens a data source's sealed password, as for pipelines. @default the stored form */
  passwordOf?: PasswordOf;
  log: Logger;
  /** For tests. @default probeMember */
  probe?: typeof probeMember;
}

/**
 * Measures the members of the data sources in this node's datacenter and writes the result to
 * /health/<groupKey>, for managers (which never connect to databases) to show and to judge a
 * switch by. One node per datacenter measures: the live one with the lowest id that is not
 * leaving; the others check each round whether that is now them. Two nodes may both measure
 * for a moment while the node list changes; the record names its measurer, and the last
 * write wins, which is harmless for display data.
 */
export class HealthProber {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly probe: typeof probeMember;

  constructor(private readonly options: HealthProberOptions) {
    this.intervalMs = options.intervalMs ?? HEALTH_INTERVAL_MS;
    this.probe = options.probe ?? probeMember;
  }

  start(): void {
    this.stopped = false;
    this.next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round: the data sources measured (empty when another node measures, or none is here). */
  async measureOnce(): Promise<string[]> {
    const zk = this.options.zk();
    const snapshot = this.options.snapshot();
    if (zk === undefined || snapshot === undefined) return [];
    const mine = Object.values(snapshot.dataSources).filter((ds) => ds.dc === this.options.dc);
    if (mine.length === 0 || !(await this.isMeasurer(zk))) return [];
    await Promise.all(mine.map((ds) => this.measure(zk, ds)));
    return mine.map((ds) => ds.groupKey);
  }

  private next(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.measureOnce().then(() => undefined, (error: unknown) => {
        this.options.log.warn({ err: error }, 'health round failed');
      }).finally(() => {
        this.round = undefined;
        this.next();
      });
    }, this.intervalMs);
  }

  /** Whether this node is the lowest-id live node of its datacenter that is not leaving. */
  private async isMeasurer(zk: ZkClient): Promise<boolean> {
    const names = await withZkDeadline(zk.getChildren(zkPaths.nodes), 10_000, 'listing nodes');
    const records = await Promise.all(names.map((name) => readRecord<NodeRecord>(zk, zkPaths.node(name))));
    const candidates = records.flatMap((r) => (r !== undefined && r.value.dc === this.options.dc && r.value.state !== 'leaving' ? [r.value.id] : [])).sort();
    return candidates[0] === this.options.nodeId;
  }

  private async measure(zk: ZkClient, ds: DataSourceSpecT): Promise<void> {
    const open = (server: { host: string; port: number }) => () => endpointFor(ds, server, this.options.passwordOf ?? storedPassword);
    const log = this.options.log.child({ groupKey: ds.groupKey });
    const [master, standby] = await Promise.all([
      this.probe(ds.master, open(ds.master), { groupKey: ds.groupKey, member: 'master' }, log),
      ds.standby ? this.probe(ds.standby, open(ds.standby), { groupKey: ds.groupKey, member: 'standby' }, log) : Promise.resolve(undefined),
    ]);
    const active = ds.active === 'standby' && standby ? standby : master;
    const other = ds.active === 'standby' ? master : standby;
    const record: DataSourceHealthRecord = {
      groupKey: ds.groupKey,
      active: ds.active,
      master,
      ...(standby === undefined ? {} : { standby }),
      ...(other === undefined ? {} : { behind: other.reachable && active.reachable ? gtidBehind(other.gtidPosition, active.gtidPosition) : { transactions: null, domains: {}, ahead: [], unknown: 'a member is unreachable' } }),
      measuredBy: this.options.nodeId,
      dc: this.options.dc,
      at: new Date().toISOString(),
      intervalMs: this.intervalMs,
    };
    await writeHealth(zk, record);
    log.debug({ master: master.reachable, standby: standby?.reachable ?? null, behind: record.behind?.transactions ?? null }, 'data source health measured');
  }
}

/** Creates or overwrites /health/<groupKey> (last writer wins: display data and the readiness check's input). */
async function writeHealth(zk: ZkClient, record: DataSourceHealthRecord): Promise<void> {
  const path = zkPaths.dataSourceHealth(record.groupKey);
  const data = JSON.stringify(record);
  try {
    await withZkDeadline(zk.setData(path, data), 10_000, 'writing data source health');
  } catch (error) {
    if (!isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) throw error;
    await withZkDeadline(zk.create(path, data), 10_000, 'creating data source health').catch((created: unknown) => {
      if (!isFerryError(created, 'FERRY_ERR_ZK_NODE_EXISTS')) throw created;
    });
  }
}

/** A member as the data source's user reaches it, with its TLS settings; the password opened here, in memory. */
function endpointFor(ds: DataSourceSpecT, server: { host: string; port: number }, passwordOf: PasswordOf): MysqlEndpoint {
  const tls = checkTlsFields({ mode: ds.sslMode, ca: ds.sslCa, cert: ds.sslCert, key: ds.sslKey });
  if (!tls.ok) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: tls.problems.map((p) => `${p.field} ${p.message}`).join('; ') });
  return { host: server.host, port: server.port, user: ds.user, password: passwordOf(ds), ...(tls.tls === undefined ? {} : { tls: tls.tls }) };
}
