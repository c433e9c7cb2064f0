import { rmSync } from 'node:fs';
import type { Logger } from '../shared/logging.ts';
import { FerryError } from '../shared/errors/index.ts';
import { ensureInstalled } from './install.ts';
import { bootstrapUsers, launchMariaDb, mariaDbLayout, waitMariaDbReady } from './mariadb.ts';
import { assertPortsFree, isPortFree } from './ports.ts';
import { isAlive, isOurs, stopProcess, waitFor } from './processes.ts';
import { DEFAULT_USERS, mariaDbUrl, readState, writeState, zkConnectString, zkSecureConnectString, type MariaDbInstance, type ServicesState, type ZooKeeperTls } from './state.ts';
import { launchZooKeeper, waitZooKeeperReady, zooKeeperLayout, zooKeeperPorts } from './zookeeper.ts';

export interface UpOptions {
  stateDir: string;
  /** ZooKeeper servers: 1, or 3 and more for an ensemble; 0 for MariaDB alone. @default 1 */
  zkServers?: number;
  /** First ZooKeeper client port; server i uses +i-1, quorum +100, election +200. @default 21811 */
  zkPort?: number;
  /** MariaDB instances, named db1..dbN. @default 2 */
  mariadb?: number;
  /** Port of db1; dbN uses +N-1. @default 33061 */
  mariadbPort?: number;
  /** More mariadbd options for every instance, after Ferry's (a test's TLS files, say). @default [] */
  mariadbArgs?: string[];
  /** Also serve a secureClientPort (client port + 300) with these files. @default plain only */
  zkTls?: ZooKeeperTls;
}

export const DEFAULT_UP = { zkServers: 1, zkPort: 21811, mariadb: 2, mariadbPort: 33061 } as const;

/**
 * Starts ZooKeeper and MariaDB as background processes and waits until each answers. On any
 * failure it stops what it started and throws: nothing is left running.
 */
export async function servicesUp(options: UpOptions, log: Logger): Promise<ServicesState> {
  const stateDir = options.stateDir;
  const previous = readState(stateDir);
  if (previous && runningPids(previous).length > 0) throw new FerryError('FERRY_ERR_SERVICES_ALREADY_UP', { stateDir });

  ensureInstalled(log);
  const zkServers = options.zkServers ?? DEFAULT_UP.zkServers;
  if (zkServers < 0 || zkServers === 2) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--zk-servers takes 0, 1, or 3 and more (an ensemble of 2 cannot survive a failure)' });
  const state: ServicesState = {
    stateDir,
    zookeeper: { servers: zooKeeperLayout(stateDir, zkServers, options.zkPort ?? DEFAULT_UP.zkPort, options.zkTls) },
    mariadb: mariaDbLayout(stateDir, options.mariadb ?? DEFAULT_UP.mariadb, options.mariadbPort ?? DEFAULT_UP.mariadbPort)
      .map((db) => (options.mariadbArgs?.length ? { ...db, extraArgs: [...options.mariadbArgs] } : db)),
    users: previous?.users ?? { app: { ...DEFAULT_USERS.app }, replication: { ...DEFAULT_USERS.replication } },
  };
  await assertPortsFree([
    ...state.zookeeper.servers.flatMap(zooKeeperPorts),
    ...state.mariadb.map((db) => ({ port: db.port, what: `MariaDB ${db.name}` })),
  ]);

  // One server failing cancels the waits on the others, so we stop them at once.
  const abort = new AbortController();
  try {
    for (const server of state.zookeeper.servers) {
      server.pid = launchZooKeeper(server, state.zookeeper.servers);
      writeState(state);
    }
    for (const db of state.mariadb) {
      db.pid = launchMariaDb(db);
      writeState(state);
    }
    await Promise.all([
      ...state.zookeeper.servers.map((server) => waitZooKeeperReady(server, state.zookeeper.servers.length, abort.signal)),
      ...state.mariadb.map(async (db) => {
        await waitMariaDbReady(db, abort.signal);
        if (!abort.signal.aborted) await bootstrapUsers(db, state.users);
      }),
    ]);
  } catch (error) {
    abort.abort();
    await stopAll(state, log);
    throw error;
  }
  log.info({ stateDir, zookeeper: zkConnectString(state), zookeeperTls: zkSecureConnectString(state), mariadb: state.mariadb.map((db) => `${db.name}=${db.port}`) }, 'services up');
  return state;
}

/** Stops exactly the processes recorded in the state folder, by pid, and waits for their ports. */
export async function servicesDown(stateDir: string, log: Logger, options: { purge?: boolean } = {}): Promise<boolean> {
  const state = readState(stateDir);
  if (!state) {
    if (options.purge) rmSync(stateDir, { recursive: true, force: true });
    return false;
  }
  await stopAll(state, log);
  if (options.purge) rmSync(stateDir, { recursive: true, force: true });
  log.info({ stateDir, purged: options.purge === true }, 'services down');
  return true;
}

async function stopAll(state: ServicesState, log: Logger): Promise<void> {
  // Databases first, so nothing replicating from them outlives ZooKeeper by much.
  await Promise.all(state.mariadb.map((db) => stopOne(db.pid, state.stateDir)));
  await Promise.all(state.zookeeper.servers.map((server) => stopOne(server.pid, state.stateDir)));
  const ports = [...state.mariadb.map((db) => db.port), ...state.zookeeper.servers.flatMap((s) => zooKeeperPorts(s).map((p) => p.port))];
  const released = await waitFor(async () => (await Promise.all(ports.map(isPortFree))).every(Boolean), 10_000, 100);
  if (!released) log.warn({ ports }, 'ports still in use after stopping services');
  for (const db of state.mariadb) delete db.pid;
  for (const server of state.zookeeper.servers) delete server.pid;
  writeState(state);
}

async function stopOne(pid: number | undefined, stateDir: string): Promise<void> {
  if (pid !== undefined && isOurs(pid, stateDir)) await stopProcess(pid);
}

function runningPids(state: ServicesState): number[] {
  return [...state.mariadb.map((db) => db.pid), ...state.zookeeper.servers.map((s) => s.pid)].filter(
    (pid): pid is number => pid !== undefined && isOurs(pid, state.stateDir),
  );
}

/** Stops and starts one MariaDB instance (same data, same port): tests of source restarts. */
export async function restartMariaDb(state: ServicesState, name: string, log: Logger): Promise<MariaDbInstance> {
  const db = state.mariadb.find((candidate) => candidate.name === name);
  if (!db) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `no MariaDB instance named ${name}` });
  await stopMariaDb(state, name);
  db.pid = launchMariaDb(db);
  writeState(state);
  await waitMariaDbReady(db);
  log.info({ name, port: db.port }, 'mariadb restarted');
  return db;
}

export async function stopMariaDb(state: ServicesState, name: string): Promise<void> {
  const db = state.mariadb.find((candidate) => candidate.name === name);
  if (!db) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `no MariaDB instance named ${name}` });
  await stopOne(db.pid, state.stateDir);
  await waitFor(() => isPortFree(db.port), 10_000, 50);
}

export interface ServicesStatus {
  stateDir: string;
  zookeeper: {
    connectString: string;
    /** The secureClientPorts, when ZooKeeper serves TLS. */
    secureConnectString?: string;
    servers: Array<{ id: number; host: string; port: number; securePort?: number; pid: number | null; running: boolean; log: string }>;
  };
  mariadb: Array<{ name: string; host: string; port: number; serverId: number; gtidDomainId: number; pid: number | null; running: boolean; socket: string; url: string; replicationUrl: string; log: string }>;
}

export function servicesStatus(stateDir: string): ServicesStatus {
  const state = readState(stateDir);
  if (!state) throw new FerryError('FERRY_ERR_SERVICES_NOT_UP', { stateDir });
  const running = (pid: number | undefined): boolean => pid !== undefined && isAlive(pid) && isOurs(pid, stateDir);
  return {
    stateDir,
    zookeeper: {
      connectString: zkConnectString(state),
      ...(zkSecureConnectString(state) === undefined ? {} : { secureConnectString: zkSecureConnectString(state) }),
      servers: state.zookeeper.servers.map((s) => ({ id: s.id, host: s.host, port: s.clientPort, ...(s.securePort === undefined ? {} : { securePort: s.securePort }), pid: s.pid ?? null, running: running(s.pid), log: s.log })),
    },
    mariadb: state.mariadb.map((db) => ({
      name: db.name,
      host: db.host,
      port: db.port,
      serverId: db.serverId,
      gtidDomainId: db.gtidDomainId,
      pid: db.pid ?? null,
      running: running(db.pid),
      socket: db.socket,
      url: mariaDbUrl(db, state.users.app),
      replicationUrl: mariaDbUrl(db, state.users.replication),
      log: db.log,
    })),
  };
}
