import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { FerryError, describeError } from '../shared/errors/index.ts';
import { NETTY_CODEC_JAR, SLF4J_SIMPLE_JAR, ZOOKEEPER_JAR } from './install.ts';
import { isAlive, logTail, startDetached, waitFor } from './processes.ts';
import type { ZooKeeperServer, ZooKeeperTls } from './state.ts';
import { secureConfigLines, tlsAnswers } from './zookeeper-tls.ts';

/**
 * Tick 500 ms and a session timeout range of 1-60 s: tests and the demo use short sessions
 * (fast failure detection) while production-like runs may ask for long ones.
 */
const TICK_MS = 500;

/**
 * Ports of server i (1-based) for an ensemble whose first client port is `base`; with `tls`
 * a secureClientPort at +300 beside the plain one.
 */
export function zooKeeperLayout(stateDir: string, count: number, base: number, tls?: ZooKeeperTls): ZooKeeperServer[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    const dir = join(stateDir, `zk${id}`);
    const server: ZooKeeperServer = { id, host: '127.0.0.1', clientPort: base + index, quorumPort: base + 100 + index, electionPort: base + 200 + index, dir, log: join(dir, 'zookeeper.log') };
    return tls ? { ...server, securePort: base + 300 + index, tls: { ...tls } } : server;
  });
}

export function zooKeeperPorts(server: ZooKeeperServer): Array<{ port: number; what: string }> {
  const what = `ZooKeeper server ${server.id}`;
  return [
    { port: server.clientPort, what },
    { port: server.quorumPort, what },
    { port: server.electionPort, what },
    ...(server.securePort === undefined ? [] : [{ port: server.securePort, what }]),
  ];
}

function configText(server: ZooKeeperServer, ensemble: ZooKeeperServer[]): string {
  const lines = [
    `tickTime=${TICK_MS}`,
    'initLimit=20',
    'syncLimit=10',
    `dataDir=${join(server.dir, 'data')}`,
    `clientPort=${server.clientPort}`,
    `clientPortAddress=${server.host}`,
    'minSessionTimeout=1000',
    'maxSessionTimeout=60000',
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,srvr,mntr,stat',
    'autopurge.snapRetainCount=3',
    'autopurge.purgeInterval=1',
  ];
  if (ensemble.length > 1) {
    for (const peer of ensemble) lines.push(`server.${peer.id}=${peer.host}:${peer.quorumPort}:${peer.electionPort}`);
  }
  if (server.tls && server.securePort !== undefined) lines.push(...secureConfigLines(server.host, server.securePort, server.tls, keyStorePath(server)));
  return `${lines.join('\n')}\n`;
}

/** Writes the config and starts one server in the background; returns its pid. */
export function launchZooKeeper(server: ZooKeeperServer, ensemble: ZooKeeperServer[]): number {
  mkdirSync(join(server.dir, 'data'), { recursive: true });
  if (ensemble.length > 1) writeFileSync(join(server.dir, 'data', 'myid'), `${server.id}\n`);
  const config = join(server.dir, 'zoo.cfg');
  // ZooKeeper's PEM key store is one file holding the key and the certificate chain.
  if (server.tls) writeFileSync(keyStorePath(server), `${readPem(server.tls.key)}\n${readPem(server.tls.cert)}\n`, { mode: 0o600 });
  writeFileSync(config, configText(server, ensemble));
  return startDetached(
    'java',
    [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      `-Dzookeeper.log.dir=${server.dir}`,
      '-cp',
      // The manifest of Debian's zookeeper.jar lacks netty-codec, which Netty's SslHandler needs.
      [ZOOKEEPER_JAR, SLF4J_SIMPLE_JAR, ...(server.tls ? [NETTY_CODEC_JAR] : [])].join(':'),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      config,
    ],
    server.log,
  );
}

/** Sends a four-letter command and returns the whole answer ('' when nobody answers). */
export function fourLetter(host: string, port: number, command: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(command));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.once('error', () => undefined);
  });
}

function keyStorePath(server: ZooKeeperServer): string {
  return join(server.dir, 'keystore.pem');
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new FerryError('FERRY_ERR_SERVICES_START_FAILED', { what: `ZooKeeper server TLS`, detail: `cannot read ${file}: ${describeError(error)}` });
  }
}

/**
 * Ready means `ruok` answers `imok`, in an ensemble `srvr` shows a Mode, and with TLS the
 * secure port answers a handshake (ruok cannot be asked there without a client of our own).
 */
export async function waitZooKeeperReady(server: ZooKeeperServer, ensembleSize: number, signal?: AbortSignal, timeoutMs = 60_000): Promise<void> {
  const ready = await waitFor(async () => {
    if (server.pid !== undefined && !isAlive(server.pid)) {
      throw new FerryError('FERRY_ERR_SERVICES_START_FAILED', { what: `ZooKeeper server ${server.id}`, detail: `exited; log ${server.log}: ${logTail(server.log)}` });
    }
    if ((await fourLetter(server.host, server.clientPort, 'ruok')) !== 'imok') return false;
    if (server.securePort !== undefined && !(await tlsAnswers(server.host, server.securePort))) return false;
    if (ensembleSize === 1) return true;
    return /Mode: (leader|follower)/.test(await fourLetter(server.host, server.clientPort, 'srvr'));
  }, timeoutMs, 100, signal);
  if (signal?.aborted) return;
  if (!ready) {
    throw new FerryError('FERRY_ERR_SERVICES_START_FAILED', { what: `ZooKeeper server ${server.id}`, detail: `not ready after ${timeoutMs} ms; log ${server.log}: ${logTail(server.log)}` });
  }
}
