import { ConfigStore } from '../shared/cluster/config-store.ts';
import { managerAccess, type ManagerZkAuth } from '../shared/cluster/zk-access.ts';
import type { Logger } from '../shared/logging.ts';
import { ZkClient, type SessionState } from '../shared/zk/zk-client.ts';
import type { ZkTlsOptions } from '../shared/zk/zk-tls-tunnel.ts';
import { LeaderElection } from './election.ts';
import { registerManager } from './registry.ts';
import { migrateAcls } from './zk-acl-migration.ts';

export interface SessionOptions {
  connectString: string;
  /** TLS to the servers' secureClientPorts. @default plain TCP */
  tls?: ZkTlsOptions;
  sessionTimeoutMs: number;
  /** None: anonymous, world-open znodes (--zk-insecure). */
  zkAuth?: ManagerZkAuth;
  managerId: string;
  url: string;
  startedAt: string;
  log: Logger;
  onLeadership: (leading: boolean) => void;
  onState: (state: SessionState) => void;
}

/**
 * Everything a manager holds on one ZooKeeper session: the client, the configuration store,
 * its /managers registration and its election candidate. The ephemeral znodes die with the
 * session; after expiry the manager opens a new ManagerSession (node-zookeeper-client cannot
 * revive an expired client).
 */
export class ManagerSession {
  /** Closed or abandoned: its client's late events mean nothing any more. */
  ended = false;

  private constructor(
    readonly zk: ZkClient,
    readonly store: ConfigStore,
    readonly election: LeaderElection,
  ) {}

  static async open(options: SessionOptions): Promise<ManagerSession> {
    const { log } = options;
    const access = options.zkAuth && managerAccess(options.zkAuth);
    const zk = await ZkClient.connect({ connectString: options.connectString, sessionTimeoutMs: options.sessionTimeoutMs, ...(options.tls ? { tls: options.tls } : {}), ...(access ? { access } : {}), log });
    try {
      const store = await ConfigStore.open(zk);
      // Trees made before ACLs (or under another node identity) get the policy's ACLs.
      if (access) await migrateAcls(zk, access, log);
      // A previous process with this id (killed) keeps its registration until its session expires.
      await registerManager(zk, { id: options.managerId, url: options.url, startedAt: options.startedAt }, options.sessionTimeoutMs + 2_000, log);
      const election = new LeaderElection(zk, options.managerId, log, options.onLeadership);
      const session = new ManagerSession(zk, store, election);
      zk.onState((state) => options.onState(state));
      await election.join();
      log.info({ session: zk.sessionId, sessionTimeoutMs: zk.sessionTimeoutMs }, 'manager session open');
      return session;
    } catch (error) {
      await zk.close();
      throw error;
    }
  }

  /** Clean end: leave the election first so the next manager leads without waiting. */
  async close(): Promise<void> {
    // An abandoned client is closed already: requests on it would never be answered.
    if (this.ended) return;
    this.ended = true;
    await this.election.leave();
    await this.zk.close();
  }

  /** After expiry: nothing to remove (ZooKeeper did), just stop and drop the dead client. */
  abandon(): void {
    this.ended = true;
    this.election.stop();
    void this.zk.close();
  }
}
