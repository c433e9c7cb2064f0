import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /**
   * With `{ peers: true }` only (two more keys to make): a node's certificate for the pipe,
   * where each node is server and client (serverAuth and clientAuth, IP 127.0.0.1), signed
   * by `ca`; and the same kind signed by `otherCa`, a node of another cluster.
   */
  peerCert: string;
  peerKey: string;
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
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=ferry-test-server', '-keyout', 'server-key.pem', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '-1', '-extfile', 'server.ext', '-out', 'expired.pem');
  if (options.peers === true) makePeerCertificates(dir, ssl);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
    otherKey: join(dir, 'other-ca-key.pem'),
    expiredCert: join(dir, 'expired.pem'),
    peerCert: join(dir, 'peer.pem'),
    peerKey: join(dir, 'peer-key.pem'),
    strangerCert: join(dir, 'stranger.pem'),
    strangerKey: join(dir, 'stranger-key.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function makePeerCertificates(dir: string, ssl: (...args: string[]) => Buffer): void {
  writeFileSync(join(dir, 'peer.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n');
  for (const [name, ca] of [['peer', 'ca'], ['stranger', 'other-ca']] as const) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=ferry-test-${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-days', '2', '-extfile', 'peer.ext', '-out', `${name}.pem`);
  }
}
