import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findFreeBase, servicesDown, servicesUp, type ServicesState } from '../../services/index.ts';
import { createLogger } from '../../shared/logging.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServicesState;
  }
}

/**
 * Starts one ZooKeeper server and two MariaDB instances for the whole integration run, on
 * free ports under .ferry/test-services (a leftover from a killed run is stopped first), and
 * stops them afterwards. Tests reach them through `inject('services')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'warn' });
  const stateDir = resolve(join(import.meta.dirname, '..', '..', '.ferry', 'test-services'));
  await servicesDown(stateDir, log, { purge: true });
  // Offsets: ZooKeeper client/quorum/election ports, then MariaDB db1 and db2.
  const base = await findFreeBase([0, 100, 200, 1000, 1001]);
  const state = await servicesUp({ stateDir, zkServers: 1, zkPort: base, mariadb: 2, mariadbPort: base + 1000 }, log);
  project.provide('services', state);
  return async () => {
    await servicesDown(stateDir, log, { purge: true });
  };
}
