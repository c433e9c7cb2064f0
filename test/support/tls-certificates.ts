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
  remove(): void;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-certs-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca']) {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=Ferry test ${ca}`, '-keyout', `${ca}-key.pem`, '-out', `${ca}.pem`);
  }
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=ferry-test-server', '-keyout', 'server-key.pem', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '-1', '-extfile', 'server.ext', '-out', 'expired.pem');
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
    otherKey: join(dir, 'other-ca-key.pem'),
    expiredCert: join(dir, 'expired.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
