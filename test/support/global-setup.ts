import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findFreeBase, isAlive, servicesDown, servicesUp, type ServicesState } from '../../services/index.ts';
import { createLogger, type Logger } from '../../shared/logging.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServicesState;
  }
}

const runsDir = resolve(join(import.meta.dirname, '..', '..', '.ferry', 'test-runs'));

/** Stops the servers of earlier runs whose test process is gone (killed runs leave them). */
async function sweepAbandonedRuns(log: Logger): Promise<void> {
  if (!existsSync(runsDir)) return;
  for (const entry of readdirSync(runsDir)) {
    const owner = Number(entry);
    if (Number.isInteger(owner) && isAlive(owner)) continue;
    await servicesDown(join(runsDir, entry), log, { purge: true });
  }
}

/**
 * Starts one ZooKeeper server and two MariaDB instances for the whole integration run, on
 * free ports under .ferry/test-runs/<pid> (several runs may share a machine), and stops them
 * afterwards. Tests reach them through `inject('services')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'warn' });
  await sweepAbandonedRuns(log);
  const stateDir = join(runsDir, String(process.pid));
  // Offsets: ZooKeeper client/quorum/election ports, then MariaDB db1 and db2.
  const base = await findFreeBase([0, 100, 200, 1000, 1001]);
  const state = await servicesUp({ stateDir, zkServers: 1, zkPort: base, mariadb: 2, mariadbPort: base + 1000 }, log);
  project.provide('services', state);
  return async () => {
    await servicesDown(stateDir, log, { purge: true });
  };
}
