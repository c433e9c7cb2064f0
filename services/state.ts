import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One ZooKeeper server started by `bin/ferry services`. */
export interface ZooKeeperServer {
  id: number;
  host: string;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  dir: string;
  log: string;
  pid?: number;
  /** TLS client port (secureClientPort), served beside clientPort when `tls` is set. */
  securePort?: number;
  tls?: ZooKeeperTls;
}

/** Files for ZooKeeper's secureClientPort (PEM), and whether clients must show a certificate. */
export interface ZooKeeperTls {
  cert: string;
  key: string;
  /** CA trusted for client certificates (ZooKeeper's trust store). */
  ca: string;
  /** ZooKeeper's ssl.clientAuth. @default 'none' */
  clientAuth?: 'need' | 'want' | 'none';
}

/** One MariaDB instance started by `bin/ferry services`. */
export interface MariaDbInstance {
  name: string;
  host: string;
  port: number;
  serverId: number;
  gtidDomainId: number;
  dir: string;
  socket: string;
  log: string;
  pid?: number;
  /** More mariadbd options after Ferry's (e.g. --ssl-ca, --ssl-cert, --ssl-key); kept for restarts. */
  extraArgs?: string[];
}

export interface Credentials {
  user: string;
  password: string;
}

/** Everything `services up` started, written as it goes so `down` can always clean up. */
export interface ServicesState {
  stateDir: string;
  zookeeper: { servers: ZooKeeperServer[] };
  mariadb: MariaDbInstance[];
  users: { app: Credentials; replication: Credentials };
}

export const DEFAULT_USERS = {
  app: { user: 'ferry', password: 'ferry' },
  replication: { user: 'ferry_repl', password: 'ferry_repl' },
} as const;

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** @default <repo>/.ferry/services, or FERRY_STATE_DIR */
export function defaultStateDir(): string {
  return resolve(process.env.FERRY_STATE_DIR ?? join(repoRoot, '.ferry', 'services'));
}

export function stateFile(stateDir: string): string {
  return join(stateDir, 'services.json');
}

export function readState(stateDir: string): ServicesState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ServicesState;
}

/** Atomic write: a crash mid-write never leaves a state file `down` cannot read. */
export function writeState(state: ServicesState): void {
  mkdirSync(state.stateDir, { recursive: true });
  const file = stateFile(state.stateDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function zkConnectString(state: ServicesState): string {
  return state.zookeeper.servers.map((s) => `${s.host}:${s.clientPort}`).join(',');
}

/** The secureClientPorts, for clients with --zk-tls-ca; undefined when ZooKeeper runs without TLS. */
export function zkSecureConnectString(state: ServicesState): string | undefined {
  const servers = state.zookeeper.servers;
  if (servers.length === 0 || servers.some((s) => s.securePort === undefined)) return undefined;
  return servers.map((s) => `${s.host}:${s.securePort}`).join(',');
}

export function mariaDbUrl(instance: MariaDbInstance, credentials: Credentials): string {
  return `mysql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@${instance.host}:${instance.port}`;
}
