import { connect } from 'node:tls';
import type { ZooKeeperTls } from './state.ts';

/**
 * zoo.cfg lines for a secureClientPort beside the plain clientPort. ZooKeeper turns unknown
 * keys into `zookeeper.<key>` system properties, which is where it reads its ssl.* settings
 * and the connection factory; only the Netty factory serves TLS.
 */
export function secureConfigLines(host: string, securePort: number, tls: ZooKeeperTls, keyStore: string): string[] {
  return [
    'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
    `secureClientPort=${securePort}`,
    `secureClientPortAddress=${host}`,
    `ssl.keyStore.location=${keyStore}`,
    'ssl.keyStore.type=PEM',
    `ssl.trustStore.location=${tls.ca}`,
    'ssl.trustStore.type=PEM',
    // ZooKeeper's default is 'need': say what we mean.
    `ssl.clientAuth=${tls.clientAuth ?? 'none'}`,
  ];
}

/**
 * True when the port speaks TLS: the handshake completes, or the server refuses it with a
 * TLS alert (ssl.clientAuth=need and we show no certificate). A refused connection or one
 * closed without an alert (Netty still starting, or missing a class) is not ready.
 */
export function tlsAnswers(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    // A readiness probe only: the certificate is the clients' business, not the probe's.
    const socket = connect({ host, port, rejectUnauthorized: false });
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code?.startsWith('ERR_SSL_') === true));
  });
}
