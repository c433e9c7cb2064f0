import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FerryError } from '../../../shared/errors/index.ts';
import { clientTls, serverTls } from '../../../shared/tls/tls-options.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs.remove());

function refusal(load: () => unknown): FerryError {
  try {
    load();
  } catch (error) {
    return error as FerryError;
  }
  throw new Error('expected the files to be refused');
}

describe('TLS options from files', () => {
  it('loads a server certificate and key, TLS 1.2 at least, mutual only when given a CA', () => {
    const server = serverTls({ cert: certs.cert, key: certs.key }, 'manager');
    expect(server).toMatchObject({ minVersion: 'TLSv1.2', requestCert: false, rejectUnauthorized: false });
    expect(server.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(serverTls({ cert: certs.cert, key: certs.key, ca: certs.ca }, 'pipe')).toMatchObject({ requestCert: true, rejectUnauthorized: true });
    expect(clientTls({ ca: certs.ca }, 'node')).toMatchObject({ minVersion: 'TLSv1.2', rejectUnauthorized: true });
    expect(clientTls({}, 'node').ca).toBeUndefined();
  });

  it('names an unreadable file', () => {
    const missing = join(certs.dir, 'missing.pem');
    const error = refusal(() => serverTls({ cert: missing, key: certs.key }, 'manager'));
    expect(error.code).toBe('FERRY_ERR_TLS_FILE_UNREADABLE');
    expect(error.message).toBe(`the certificate file ${missing} of the manager cannot be read: ENOENT`);
    expect(refusal(() => clientTls({ ca: missing }, 'node')).message).toContain(`the CA file ${missing} of the node`);
  });

  it('refuses a key of another certificate, files that are not PEM, an encrypted key, a CA file without a certificate and an expired certificate', () => {
    const notPem = join(certs.dir, 'not.pem');
    writeFileSync(notPem, 'hello\n');
    const encrypted = join(certs.dir, 'encrypted-key.pem');
    execFileSync('openssl', ['pkey', '-in', certs.key, '-aes256', '-passout', 'pass:secret', '-out', encrypted], { stdio: 'pipe' });
    const cases: Array<[() => unknown, string]> = [
      [() => serverTls({ cert: certs.cert, key: certs.otherKey }, 'manager'), `the private key ${certs.otherKey} does not belong to the certificate ${certs.cert}`],
      [() => serverTls({ cert: notPem, key: certs.key }, 'manager'), `the certificate file ${notPem} holds no PEM certificate`],
      [() => serverTls({ cert: certs.cert, key: notPem }, 'manager'), `the private key file ${notPem} holds no PEM private key`],
      [() => serverTls({ cert: certs.cert, key: encrypted }, 'manager'), `the private key ${encrypted} is encrypted`],
      [() => clientTls({ ca: notPem }, 'node'), `the CA file ${notPem} holds no PEM certificate`],
      // A key where the certificate belongs: Node would take neither.
      [() => serverTls({ cert: certs.key, key: certs.key }, 'manager'), `the certificate file ${certs.key} holds no PEM certificate`],
      [() => clientTls({ cert: certs.cert }, 'node'), 'a client certificate needs its private key'],
      [() => serverTls({ cert: certs.expiredCert, key: certs.key }, 'manager'), `the certificate ${certs.expiredCert} expired on `],
    ];
    for (const [load, detail] of cases) {
      const error = refusal(load);
      expect(error.code).toBe('FERRY_ERR_TLS_FILE_INVALID');
      expect(error.message).toContain(detail);
    }
  });
});
