import { join } from 'node:path';
import mysql, { type Connection } from 'mysql2/promise';
import type { Logger } from '../shared/logging.ts';
import { defaultStateDir, findFreeBase, mariaDbUrl, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';

/**
 * The full-sync benchmark's own MariaDB servers, under .ferry/bench-full-sync: a source and a
 * target. The target first holds an identical copy (verify against CHECKSUM TABLE), then an
 * empty database for each copy (mariadb-dump | mariadb, bin/ferry run --initial-copy).
 */
export interface FullSyncServers {
  state: ServicesState;
  source: MariaDbInstance;
  target: MariaDbInstance;
}

export const fullSyncStateDir = (): string => join(defaultStateDir(), '..', 'bench-full-sync');

/** Port of db1 is base + 3000: clear of the other benchmarks' (base + 1000, + 2000) and developers' `services up`. */
const PORT_OFFSET = 3000;

export async function startFullSyncServers(log: Logger): Promise<FullSyncServers> {
  const stateDir = fullSyncStateDir();
  // A previous run killed half-way may have left servers behind: ours, by the state file.
  await servicesDown(stateDir, log, { purge: true });
  const base = await findFreeBase([PORT_OFFSET, PORT_OFFSET + 1]);
  const state = await servicesUp({ stateDir, zkServers: 0, mariadb: 2, mariadbPort: base + PORT_OFFSET }, log);
  const [source, target] = state.mariadb as [MariaDbInstance, MariaDbInstance];
  return { state, source, target };
}

export async function stopFullSyncServers(log: Logger): Promise<void> {
  await servicesDown(fullSyncStateDir(), log, { purge: true });
}

/** A connection as the application user (multipleStatements for DDL batches). */
export async function connectTo(servers: FullSyncServers, db: MariaDbInstance): Promise<Connection> {
  const { user, password } = servers.state.users.app;
  return mysql.createConnection({ host: db.host, port: db.port, user, password, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true });
}

/** bin/ferry's --source/--target URL of a server: the source as the replication user (SELECT and the binlog), the target as the application user. */
export const urlOf = (servers: FullSyncServers, db: MariaDbInstance, user: 'replication' | 'app'): string => mariaDbUrl(db, servers.state.users[user]);
