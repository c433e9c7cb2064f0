import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { FerryError, describeError } from '../errors/index.ts';
import type { Logger } from '../logging.ts';

/**
 * TLS to ZooKeeper's secureClientPort for node-zookeeper-client, which speaks no TLS: one
 * listener on 127.0.0.1 (an ephemeral port) per server of the connect string, each inbound
 * socket carried over a fresh TLS connection to its server. The client is handed the
 * loopback connect string (same order, same chroot), so its own server rotation and
 * reconnects work unchanged: every reconnect is a new inbound socket, hence a new handshake.
 *
 * The listeners are reachable by every local user of the machine: the tunnel protects the
 * network path, ZooKeeper's ACLs protect the data.
 */

/** Certificate material, read once when the process starts. */
export interface ZkTlsOptions {
  /** PEM CA(s) that signed the servers' certificates; the only ones trusted. */
  ca: Buffer;
  /** PEM client certificate and key, for servers with ssl.clientAuth=need. */
  cert?: Buffer;
  key?: Buffer;
}

/** What went wrong, without OpenSSL's internal prefix, and what a server's alert usually means. */
function refusalDetail(error: NodeJS.ErrnoException & { reason?: string }): string {
  const what = `${error.reason ?? error.message} (${error.code ?? 'no code'})`;
  if (/ALERT_(BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|UNKNOWN_CA|HANDSHAKE_FAILURE)$/.test(error.code ?? '')) {
    return `${what}: the server did not accept this client's certificate (--zk-tls-cert), or was given none`;
  }
  return what;
}

/** Error codes of a failed certificate check (Node's, OpenSSL's) or of a TLS alert from the server. */
const CERTAIN_REFUSAL = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH|PATH_LENGTH_EXCEEDED)/;

interface ZkServerAddress {
  /** host:port as written in the connect string. */
  name: string;
  host: string;
  port: number;
}

export interface ZkTlsTunnel {
  /** 127.0.0.1:<port>[,127.0.0.1:<port>...][/chroot]: what the ZooKeeper client connects to. */
  readonly connectString: string;
  /**
   * The refusal every server gave since the tunnel opened, once each of them has refused a
   * handshake with none succeeding: retrying will not help until someone fixes the files.
   */
  refusedByAll(): FerryError | undefined;
  /** The latest refusal by any server, for a connect timeout to name its cause. */
  lastRefusal(): FerryError | undefined;
  /** Called on every certain refusal (a certificate check or a TLS alert). */
  onRefusal(listener: (error: FerryError) => void): void;
  /** From now on (the client is connected), refusals are logged there. */
  logFrom(log: Logger): void;
  /** Stops listening and cuts every carried connection. */
  close(): Promise<void>;
}

/** Splits 'h1:p1,h2:p2/chroot' (already checked by zkConnectStringProblem). */
export function parseZkServers(connectString: string): { servers: ZkServerAddress[]; chroot: string } {
  const slash = connectString.indexOf('/');
  const list = slash < 0 ? connectString : connectString.slice(0, slash);
  const chroot = slash < 0 ? '' : connectString.slice(slash);
  const servers = list.split(',').map((name) => {
    const colon = name.lastIndexOf(':');
    const host = name.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    return { name, host, port: Number(name.slice(colon + 1)) };
  });
  return { servers, chroot };
}

export async function openZkTlsTunnel(connectString: string, tls: ZkTlsOptions): Promise<ZkTlsTunnel> {
  const { servers, chroot } = parseZkServers(connectString);
  const sockets = new Set<Socket>();
  const refusals = new Map<string, FerryError>();
  const doubtful = new Map<string, FerryError>();
  const listeners: Array<(error: FerryError) => void> = [];
  let latest: FerryError | undefined;
  let closed = false;
  let log: Logger | undefined;

  const refused = (server: ZkServerAddress, error: NodeJS.ErrnoException): void => {
    const refusal = new FerryError('FERRY_ERR_ZK_TLS_REFUSED', { server: server.name, detail: refusalDetail(error) }, { cause: error });
    // Only a certificate check or a TLS alert is certain; a connection closed mid-handshake
    // may be a port without TLS or a server still starting, so it is named but not final.
    const certain = CERTAIN_REFUSAL.test(error.code ?? '');
    const before = refusals.get(server.name) ?? doubtful.get(server.name);
    (certain ? doubtful : refusals).delete(server.name);
    (certain ? refusals : doubtful).set(server.name, refusal);
    latest = refusal;
    // The client retries every 200 ms or so: log a refusal when it is new, not each retry.
    // While connecting, the connect failure reports it (logging it too would say it twice).
    if (before?.message !== refusal.message && log !== undefined) {
      log[certain ? 'error' : 'warn']({ err: refusal, code: refusal.code, server: server.name }, 'ZooKeeper TLS handshake refused');
    }
    if (certain) for (const listener of listeners) listener(refusal);
  };

  const carry = (server: ZkServerAddress, inbound: Socket): void => {
    sockets.add(inbound);
    inbound.once('close', () => sockets.delete(inbound));
    inbound.on('error', () => inbound.destroy());
    inbound.pause();
    let tcpUp = false;
    let secured = false;
    const outbound: TLSSocket = tlsConnect({
      host: server.host,
      port: server.port,
      ca: tls.ca,
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      // SNI takes names only; an address is still checked against the certificate's IP entries.
      ...(isIP(server.host) === 0 ? { servername: server.host } : {}),
      rejectUnauthorized: true,
    });
    sockets.add(outbound);
    outbound.once('close', () => sockets.delete(outbound));
    outbound.once('connect', () => (tcpUp = true));
    outbound.once('secureConnect', () => {
      secured = true;
      refusals.delete(server.name);
      doubtful.delete(server.name);
      outbound.setNoDelay(true);
      inbound.setNoDelay(true);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
      inbound.resume();
    });
    outbound.on('error', (error: NodeJS.ErrnoException) => {
      // A failure after TCP connected and before the handshake ended is TLS saying no (wrong
      // CA, a name the certificate lacks, our certificate refused, no TLS on that port); an
      // alert after it is the server refusing our certificate under TLS 1.3.
      if ((tcpUp && !secured) || CERTAIN_REFUSAL.test(error.code ?? '')) refused(server, error);
      else log?.debug({ server: server.name, err: error }, 'ZooKeeper TLS connection failed');
      inbound.destroy();
    });
    outbound.once('close', () => inbound.destroy());
    inbound.once('close', () => outbound.destroy());
  };

  const listening: Server[] = [];
  try {
    for (const server of servers) {
      const listener = createServer((inbound) => (closed ? inbound.destroy() : carry(server, inbound)));
      listening.push(listener);
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
      });
    }
  } catch (error) {
    for (const listener of listening) listener.close();
    throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'tls tunnel', path: '/', detail: describeError(error) }, { cause: error });
  }
  const local = listening.map((listener) => `127.0.0.1:${(listener.address() as AddressInfo).port}`).join(',');

  return {
    connectString: `${local}${chroot}`,
    refusedByAll: () => (refusals.size === servers.length ? [...refusals.values()].pop() : undefined),
    lastRefusal: () => latest,
    onRefusal: (listener) => listeners.push(listener),
    logFrom: (logger) => (log = logger),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all(listening.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
    },
  };
}
