import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managerCommand } from '../../../cli/manager-command.ts';
import { nodeCommand } from '../../../cli/node-command.ts';
import { zooKeeperTlsFlags } from '../../../cli/services-command.ts';
import { zkTlsFromFlags } from '../../../cli/zk-tls-flags.ts';
import { secureConfigLines } from '../../../services/zookeeper-tls.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { parseZkServers } from '../../../shared/zk/zk-tls-tunnel.ts';

const context = { log: silentLogger(), out: () => undefined };

/** A CA's certificate, a certificate with its key, and a key of another pair (made with openssl). */
let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-zk-tls-flags-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=unit ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=unit client', '-keyout', 'client-key.pem', '-out', 'client.pem');
  writeFileSync(file('not-pem.txt'), 'just text\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function usageOf(command: typeof managerCommand, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    await command.run(argv, context);
  } catch (error) {
    expect((error as { code: string }).code).toBe('FERRY_ERR_CLI_USAGE');
    return (error as Error).message;
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  throw new Error('the command line was accepted');
}

describe('--zk-tls-* flags', () => {
  it('no CA, no TLS: nothing given means plain TCP', () => {
    expect(zkTlsFromFlags({}, {})).toEqual({ problems: [] });
  });

  it('reads the CA alone, or the CA with a client certificate and key', () => {
    const caOnly = zkTlsFromFlags({ 'zk-tls-ca': file('ca.pem') }, {});
    expect(caOnly.problems).toEqual([]);
    expect(caOnly.tls?.ca.equals(readFileSync(file('ca.pem')))).toBe(true);
    expect(caOnly.tls?.cert).toBeUndefined();
    const mutual = zkTlsFromFlags({ 'zk-tls-ca': file('ca.pem'), 'zk-tls-cert': file('client.pem'), 'zk-tls-key': file('client-key.pem') }, {});
    expect(mutual.problems).toEqual([]);
    expect(mutual.tls?.cert?.equals(readFileSync(file('client.pem')))).toBe(true);
    expect(mutual.tls?.key?.equals(readFileSync(file('client-key.pem')))).toBe(true);
  });

  it('takes FERRY_ZK_TLS_CA, _CERT and _KEY when the flags are absent, and a flag over its variable', () => {
    const env = { FERRY_ZK_TLS_CA: file('ca.pem'), FERRY_ZK_TLS_CERT: file('client.pem'), FERRY_ZK_TLS_KEY: file('client-key.pem') };
    const fromEnv = zkTlsFromFlags({}, env);
    expect(fromEnv.problems).toEqual([]);
    expect(fromEnv.tls?.key?.equals(readFileSync(file('client-key.pem')))).toBe(true);
    const overridden = zkTlsFromFlags({ 'zk-tls-ca': file('client.pem') }, env);
    expect(overridden.tls?.ca.equals(readFileSync(file('client.pem')))).toBe(true);
    expect(zkTlsFromFlags({}, { FERRY_ZK_TLS_CA: '' })).toEqual({ problems: [] });
  });

  it('names each problem: a certificate without its key, client files without a CA, unreadable and non-PEM files, a key of another certificate', () => {
    expect(zkTlsFromFlags({ 'zk-tls-ca': file('ca.pem'), 'zk-tls-cert': file('client.pem') }, {}).problems).toEqual(['--zk-tls-cert and --zk-tls-key go together']);
    expect(zkTlsFromFlags({ 'zk-tls-cert': file('client.pem'), 'zk-tls-key': file('client-key.pem') }, {}).problems).toEqual([
      '--zk-tls-cert and --zk-tls-key need --zk-tls-ca: TLS to ZooKeeper trusts only the CA given',
    ]);
    const missing = zkTlsFromFlags({ 'zk-tls-ca': file('nope.pem') }, {});
    expect(missing.tls).toBeUndefined();
    expect(missing.problems).toEqual([expect.stringMatching(new RegExp(`^--zk-tls-ca cannot read ${file('nope.pem')}: .*ENOENT`))]);
    expect(zkTlsFromFlags({}, { FERRY_ZK_TLS_CA: file('nope.pem') }).problems).toEqual([expect.stringMatching(/^FERRY_ZK_TLS_CA cannot read/)]);
    expect(zkTlsFromFlags({ 'zk-tls-ca': file('not-pem.txt') }, {}).problems).toEqual([`--zk-tls-ca ${file('not-pem.txt')} holds no PEM block`]);
    const mismatched = zkTlsFromFlags({ 'zk-tls-ca': file('ca.pem'), 'zk-tls-cert': file('client.pem'), 'zk-tls-key': file('ca-key.pem') }, {});
    expect(mismatched.tls).toBeUndefined();
    expect(mismatched.problems).toEqual([expect.stringMatching(/^the ZooKeeper TLS files \(--zk-tls-ca, --zk-tls-cert, --zk-tls-key\) are not usable: .*key/i)]);
  });

  it('manager and node report them with the other flag problems, before connecting', async () => {
    const manager = await usageOf(managerCommand, ['--zk', '127.0.0.1:1', '--port', 'x', '--zk-tls-cert', file('client.pem')], { FERRY_ADMIN_TOKEN: 'admin-token-123' });
    expect(manager).toContain("--port takes 0..65535, got 'x'");
    expect(manager).toContain('--zk-tls-cert and --zk-tls-key go together');
    const node = await usageOf(nodeCommand, ['--zk', '127.0.0.1:1', '--id', 'n1', '--dc', 'dc1', '--capacity', '0'], { FERRY_ZK_TLS_CA: file('nope.pem') });
    expect(node).toContain('--capacity');
    expect(node).toContain('FERRY_ZK_TLS_CA cannot read');
  });
});

describe('the tunnel and the services side', () => {
  it('splits a connect string into servers and chroot, brackets of IPv6 addresses off', () => {
    expect(parseZkServers('zk1.example:2281,[::1]:2282/ferry/prod')).toEqual({
      servers: [{ name: 'zk1.example:2281', host: 'zk1.example', port: 2281 }, { name: '[::1]:2282', host: '::1', port: 2282 }],
      chroot: '/ferry/prod',
    });
    expect(parseZkServers('127.0.0.1:2281').chroot).toBe('');
  });

  it('services up takes all three files or none, and ZooKeeper\'s clientAuth by name', () => {
    expect(zooKeeperTlsFlags({})).toEqual({});
    expect(() => zooKeeperTlsFlags({ 'zk-tls-cert': 'c.pem', 'zk-tls-key': 'k.pem' })).toThrow('--zk-tls-cert, --zk-tls-key and --zk-tls-ca go together');
    expect(() => zooKeeperTlsFlags({ 'zk-tls-cert': 'c', 'zk-tls-key': 'k', 'zk-tls-ca': 'a', 'zk-tls-client-auth': 'always' })).toThrow("--zk-tls-client-auth takes need, want or none, got 'always'");
    expect(zooKeeperTlsFlags({ 'zk-tls-cert': '/c', 'zk-tls-key': '/k', 'zk-tls-ca': '/a' })).toEqual({ zkTls: { cert: '/c', key: '/k', ca: '/a', clientAuth: 'none' } });
  });

  it('writes the secure port, PEM stores, the Netty factory and an explicit clientAuth into zoo.cfg', () => {
    const lines = secureConfigLines('127.0.0.1', 12481, { cert: '/c', key: '/k', ca: '/a', clientAuth: 'need' }, '/zk/keystore.pem');
    expect(lines).toEqual(expect.arrayContaining([
      'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
      'secureClientPort=12481',
      'secureClientPortAddress=127.0.0.1',
      'ssl.keyStore.location=/zk/keystore.pem',
      'ssl.keyStore.type=PEM',
      'ssl.trustStore.location=/a',
      'ssl.trustStore.type=PEM',
      'ssl.clientAuth=need',
    ]));
  });
});
