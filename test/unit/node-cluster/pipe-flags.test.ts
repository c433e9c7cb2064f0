import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeFromFlags } from '../../../cli/pipe-flags.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';

describe('bin/ferry node pipe flags', () => {
  let certs: TestCertificates;
  beforeAll(() => {
    certs = makeTestCertificates({ peers: true });
  });
  afterAll(() => certs.remove());

  it('advertises the listen address unless told another, and says TLS only with a certificate', () => {
    expect(pipeFromFlags({ 'pipe-listen': '10.1.2.3:7400' })).toEqual({ settings: { listen: { host: '10.1.2.3', port: 7400 }, advertise: '10.1.2.3:7400' }, problems: [] });
    const behindNat = pipeFromFlags({ 'pipe-listen': '0.0.0.0:7400', 'pipe-advertise': 'node-b.dc-b.example:17400', 'pipe-tls-cert': certs.peerCert, 'pipe-tls-key': certs.peerKey, 'pipe-ca': certs.ca });
    expect(behindNat.problems).toEqual([]);
    expect(behindNat.settings).toMatchObject({ listen: { host: '0.0.0.0', port: 7400 }, advertise: 'node-b.dc-b.example:17400' });
    expect(behindNat.settings.tls?.server.requestCert).toBe(true);
    expect(pipeFromFlags({ 'pipe-listen': '[::1]:7400' }).settings.advertise).toBe('[::1]:7400');
    expect(pipeFromFlags({})).toEqual({ settings: {}, problems: [] });
  });

  it('lists every problem: advertise without listen, an address nobody can dial, bad HOST:PORT, half a TLS pair', () => {
    expect(pipeFromFlags({ 'pipe-advertise': 'a:1' }).problems).toEqual(['--pipe-advertise needs --pipe-listen']);
    expect(pipeFromFlags({ 'pipe-listen': '0.0.0.0:7400' }).problems.join()).toContain('needs --pipe-advertise');
    expect(pipeFromFlags({ 'pipe-listen': '127.0.0.1:0' }).problems.join()).toContain('needs --pipe-advertise');
    expect(pipeFromFlags({ 'pipe-listen': 'nohost' }).problems.join()).toContain("--pipe-listen takes HOST:PORT (port 0-65535), got 'nohost'");
    expect(pipeFromFlags({ 'pipe-listen': '127.0.0.1:0', 'pipe-advertise': 'x:0' }).problems.join()).toContain("--pipe-advertise takes HOST:PORT (port 1-65535), got 'x:0'");
    const halfTls = pipeFromFlags({ 'pipe-listen': '127.0.0.1:7400', 'pipe-tls-cert': certs.peerCert });
    expect(halfTls.problems.join()).toContain('--pipe-tls-cert and --pipe-tls-key');
  });
});
