import { join } from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import type { Logger } from '../shared/logging.ts';
import { defaultStateDir, findFreeBase, mariaDbUrl, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';

/**
 * The conflict-detection benchmark's own MariaDB servers, under .ferry/bench-conflicts: a
 * source holding the backlog and one target that every run empties and fills again.
 */
export interface ConflictServers {
  state: ServicesState;
  source: MariaDbInstance;
  target: MariaDbInstance;
}

export const conflictStateDir = (): string => join(defaultStateDir(), '..', 'bench-conflicts');

/** Port of db1 is base + 4000: clear of the other benchmarks' (base + 1000, 2000, 3000) and developers' `services up`. */
const PORT_OFFSET = 4000;

export async function startConflictServers(log: Logger): Promise<ConflictServers> {
  const stateDir = conflictStateDir();
  // A previous run killed half-way may have left servers behind: ours, by the state file.
  await servicesDown(stateDir, log, { purge: true });
  const base = await findFreeBase([PORT_OFFSET, PORT_OFFSET + 1]);
  const state = await servicesUp({ stateDir, zkServers: 0, mariadb: 2, mariadbPort: base + PORT_OFFSET }, log);
  const [source, target] = state.mariadb as [MariaDbInstance, MariaDbInstance];
  return { state, source, target };
}

export async function stopConflictServers(log: Logger): Promise<void> {
  await servicesDown(conflictStateDir(), log, { purge: true });
}

/** A connection as the application user (multipleStatements for the backlog writer's batches). */
export async function connectConflict(servers: ConflictServers, db: MariaDbInstance): Promise<Connection> {
  const { user, password } = servers.state.users.app;
  return mysql.createConnection({ host: db.host, port: db.port, user, password, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true });
}

/** bin/ferry's URLs: the source as the replication user, the target as the application user. */
export function conflictUrls(servers: ConflictServers): { source: string; target: string } {
  return { source: mariaDbUrl(servers.source, servers.state.users.replication), target: mariaDbUrl(servers.target, servers.state.users.app) };
}

/** Process ids for CPU accounting (services/control.ts records them at launch). */
export function pidOf(db: MariaDbInstance): number {
  if (db.pid === undefined) throw new Error(`no process id recorded for MariaDB ${db.name}`);
  return db.pid;
}
