import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files made with Debian's openssl for one test file; `remove()` deletes them. */
export interface TestCertificates {
  dir: string;
  /** The CA that signed `cert`. */
  ca: string;
  /** A CA that signed nothing here: a client trusting it must refuse `cert`. */
  otherCa: string;
  /** A server certificate for IP 127.0.0.1 only (no DNS name: `localhost` does not match it). */
  cert: string;
  key: string;
  /** A private key that does not belong to `cert`. */
  otherKey: string;
  /** `cert` again (same key), but it expired yesterday. */
  expiredCert: string;
  /** A client certificate `ca` signed (for servers that ask for one: mutual TLS). */
  clientCert: string;
  clientKey: string;
  /**
   * With `{ peers: true }` only (one more key to make): a node's certificate for the pipe,
   * where each node is server and client (serverAuth and clientAuth, IP 127.0.0.1), signed by `ca`.
   */
  peerCert: string;
  peerKey: string;
  /** The same kind as a peer's (server and client, IP 127.0.0.1) signed by `otherCa`: a node of another cluster; a server trusting `ca` refuses it. */
  strangerCert: string;
  strangerKey: string;
  remove(): void;
}

export function makeTestCertificates(options: { peers?: boolean } = {}): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-certs-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca']) {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=Ferry test ${ca}`, '-keyout', `${ca}-key.pem`, '-out', `${ca}.pem`);
  }
  const sign = (name: string, ca: string, ext: string, days = '2', out = `${name}.pem`) => {
    if (!existsSync(join(dir, `${name}.csr`))) ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=ferry-test-${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n${ext}\n`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-days', days, '-extfile', `${name}.ext`, '-out', out);
  };
  const PEER = 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth';
  sign('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  sign('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth', '-1', 'expired.pem');
  sign('client', 'ca', 'extendedKeyUsage=clientAuth');
  sign('stranger', 'other-ca', PEER);
  if (options.peers === true) sign('peer', 'ca', PEER);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
    otherKey: join(dir, 'other-ca-key.pem'),
    expiredCert: join(dir, 'expired.pem'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-key.pem'),
    peerCert: join(dir, 'peer.pem'),
    peerKey: join(dir, 'peer-key.pem'),
    strangerCert: join(dir, 'stranger.pem'),
    strangerKey: join(dir, 'stranger-key.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

