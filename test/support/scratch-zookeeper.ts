import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreeBase, servicesDown, servicesUp, zkConnectString, zkSecureConnectString, type ZooKeeperTls } from '../../services/index.ts';
import { createLogger } from '../../shared/logging.ts';

/**
 * A ZooKeeper server of the test file's own (same settings as `bin/ferry services`), here
 * with a secureClientPort beside the plain one, for tests that need a server configured
 * unlike the shared one. `stop()` stops it by pid and deletes its data.
 */
export interface ScratchZooKeeper {
  /** The plain clientPorts: host:port[,host:port...]. */
  plain: string;
  /** The secureClientPorts: host:port[,host:port...]. */
  secure: string;
  /** Process of each server, in the order of the connect strings. */
  pids: number[];
  stop(): Promise<void>;
}

/** `servers`: 1, or 3 for an ensemble. */
export async function scratchZooKeeperWithTls(tls: ZooKeeperTls, servers = 1): Promise<ScratchZooKeeper> {
  const log = createLogger({ level: 'warn' });
  const stateDir = mkdtempSync(join(tmpdir(), 'ferry-scratch-zk-'));
  // Client, quorum, election and secure ports of each server.
  const base = await findFreeBase([0, 100, 200, 300].flatMap((offset) => Array.from({ length: servers }, (_, i) => offset + i)));
  try {
    const state = await servicesUp({ stateDir, zkServers: servers, zkPort: base, mariadb: 0, zkTls: tls }, log);
    return {
      plain: zkConnectString(state),
      secure: zkSecureConnectString(state)!,
      pids: state.zookeeper.servers.map((server) => server.pid!),
      stop: () => servicesDown(stateDir, log, { purge: true }).then(() => undefined),
    };
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}
