import { restartMariaDb, isAlive, waitFor, type MariaDbInstance, type ServicesState, type ZooKeeperServer } from '../services/index.ts';
import { writeState } from '../services/state.ts';
import { fourLetter, launchZooKeeper, waitZooKeeperReady } from '../services/zookeeper.ts';
import type { Logger } from '../shared/logging.ts';

/**
 * kill -9 of a server the services code started (its pid is in the state), waiting until the
 * pid is gone: a crash, not a shutdown, so nothing is flushed on the way out.
 */
export async function crash(pid: number | undefined): Promise<void> {
  if (pid === undefined || !isAlive(pid)) return;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), 30_000, 50);
}

/** Starts a crashed MariaDB again on its data and port (its crash recovery runs first). */
export async function startMariaDbAgain(state: ServicesState, db: MariaDbInstance, log: Logger): Promise<void> {
  await restartMariaDb(state, db.name, log);
}

/** The member of the ensemble `srvr` calls leader (the first member while none answers so). */
export async function zooKeeperLeader(state: ServicesState): Promise<ZooKeeperServer> {
  for (const server of state.zookeeper.servers) {
    if (/Mode: leader/.test(await fourLetter(server.host, server.clientPort, 'srvr'))) return server;
  }
  return state.zookeeper.servers[0]!;
}

/** Starts a crashed ZooKeeper member again on its data, and waits until it serves in the ensemble. */
export async function startZooKeeperAgain(state: ServicesState, server: ZooKeeperServer): Promise<void> {
  server.pid = launchZooKeeper(server, state.zookeeper.servers);
  writeState(state);
  await waitZooKeeperReady(server, state.zookeeper.servers.length, undefined, 300_000);
}
