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
  /** The plain clientPort: host:port. */
  plain: string;
  /** The secureClientPort: host:port. */
  secure: string;
  stop(): Promise<void>;
}

export async function scratchZooKeeperWithTls(tls: ZooKeeperTls): Promise<ScratchZooKeeper> {
  const log = createLogger({ level: 'warn' });
  const stateDir = mkdtempSync(join(tmpdir(), 'ferry-scratch-zk-'));
  // Client, quorum, election and secure ports of one server.
  const base = await findFreeBase([0, 100, 200, 300]);
  try {
    const state = await servicesUp({ stateDir, zkServers: 1, zkPort: base, mariadb: 0, zkTls: tls }, log);
    return { plain: zkConnectString(state), secure: zkSecureConnectString(state)!, stop: () => servicesDown(stateDir, log, { purge: true }).then(() => undefined) };
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}
