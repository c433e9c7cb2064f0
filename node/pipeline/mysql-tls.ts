import { readFileSync } from 'node:fs';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import mysql from 'mysql2/promise';
import { DEFAULT_SSL_MODE, type SslMode } from '../../shared/config/mysql-tls.ts';
import type { MysqlEndpoint } from '../../shared/config/mysql-url.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { asDriverError } from '../../shared/mysql/driver-errors.ts';

/**
 * An endpoint's TLS settings turned into what mysql2 takes (zongji connects through mysql2
 * too, so source session, binlog stream and target pool share one form): the `ssl` object,
 * with the certificate files' contents read once when the pipeline starts.
 */
export interface MysqlSsl {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Checks the chain (VERIFY_CA, VERIFY_IDENTITY). */
  readonly rejectUnauthorized: boolean;
  /** Also checks the host name (VERIFY_IDENTITY): mysql2 does so only when asked. */
  readonly verifyIdentity: boolean;
}

/** An endpoint ready to connect: `ssl` absent means plain TCP. */
export type ConnectEndpoint = MysqlEndpoint & {
  readonly ssl?: MysqlSsl;
  /** PREFERRED until settled by settlePreferred(). */
  readonly sslPreferred?: boolean;
};

export type Side = 'source' | 'target';

/** Reads the endpoint's certificate files; a missing or unreadable one is FERRY_ERR_TLS_FILE_UNREADABLE naming it. */
export function connectEndpoint(endpoint: MysqlEndpoint, side: Side): ConnectEndpoint {
  const tls = endpoint.tls;
  const mode: SslMode = tls?.mode ?? DEFAULT_SSL_MODE;
  if (mode === 'DISABLED') return endpoint;
  const read = (what: 'ssl-ca' | 'ssl-cert' | 'ssl-key', file: string | undefined) => {
    if (file === undefined) return {};
    try {
      return { [what.slice(4)]: readFileSync(file) };
    } catch (error) {
      throw new FerryError('FERRY_ERR_TLS_FILE_UNREADABLE', { what, file, side, detail: (error as NodeJS.ErrnoException).code ?? describeError(error) }, { cause: error });
    }
  };
  const verify = mode === 'VERIFY_CA' || mode === 'VERIFY_IDENTITY';
  const ssl: MysqlSsl = {
    ...read('ssl-ca', tls?.ca),
    ...read('ssl-cert', tls?.cert),
    ...read('ssl-key', tls?.key),
    rejectUnauthorized: verify,
    verifyIdentity: mode === 'VERIFY_IDENTITY',
  };
  return { ...endpoint, ssl, ...(mode === 'PREFERRED' ? { sslPreferred: true } : {}) };
}

/**
 * mysql2 options for the endpoint's TLS: a fresh copy each time, since mysql2 writes into the
 * object it is given.
 *
 * VERIFY_IDENTITY on an IP address needs the socket too: mysql2 gives Node's tls no host name
 * for an IP (it may not be sent as SNI), and Node then checks the certificate against
 * 'localhost', so a certificate for IP:127.0.0.1 fails and one for DNS:localhost would pass
 * whatever the address. Node falls back to the socket's `_host` before 'localhost', so the
 * socket is opened here with the address recorded there (the value net.connect records for a
 * host name). Measured with mysql2 3.x and Node 20: without it, VERIFY_IDENTITY to 127.0.0.1
 * fails with "Host: localhost. is not cert's CN".
 */
export function sslOptions(endpoint: ConnectEndpoint): { ssl?: Record<string, unknown>; stream?: () => Socket } {
  if (endpoint.ssl === undefined) return {};
  const ssl = { ...endpoint.ssl };
  if (!endpoint.ssl.verifyIdentity || isIP(endpoint.host) === 0) return { ssl };
  const stream = () => {
    const socket = tcpConnect(endpoint.port, endpoint.host);
    // What mysql2 does to the sockets it opens itself (TCP_NODELAY, keep-alive).
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    (socket as Socket & { _host: string | null })._host = endpoint.host;
    return socket;
  };
  return { ssl, stream };
}

/**
 * PREFERRED in MySQL's sense: TLS when the server offers it, plain when it offers none. mysql2
 * has no such mode (with `ssl` it fails on a server without TLS), so one probe connection per
 * attempt decides for every connection of the attempt. A plain result is logged as a warning:
 * whoever sits on the path can strip the server's offer.
 */
export async function settlePreferred(endpoint: ConnectEndpoint, side: Side, log: Logger): Promise<ConnectEndpoint> {
  if (endpoint.sslPreferred !== true) return endpoint;
  const { sslPreferred: _preferred, ...settled } = endpoint;
  try {
    const probe = await mysql.createConnection({ host: endpoint.host, port: endpoint.port, user: endpoint.user, password: endpoint.password, connectTimeout: 10_000, ...sslOptions(endpoint) });
    await probe.end().catch(() => undefined);
  } catch (error) {
    if (asDriverError(error).code === 'HANDSHAKE_NO_SSL_SUPPORT') {
      log.warn({ side, endpoint: `${endpoint.host}:${endpoint.port}`, sslMode: 'PREFERRED' }, 'server offers no TLS: connecting in clear (ssl-mode PREFERRED)');
      const { ssl: _ssl, ...plain } = settled;
      return plain;
    }
    // Any other failure is the real connection's to report, with TLS as configured.
  }
  return settled;
}
