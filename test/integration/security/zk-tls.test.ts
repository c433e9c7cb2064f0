import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import { TcpProxy } from '../../../services/index.ts';
import { isListening } from '../../../services/ports.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { createLogger } from '../../../shared/logging.ts';
import { ZkClient } from '../../../shared/zk/zk-client.ts';
import type { ZkAccess } from '../../../shared/zk/zk-acl.ts';
import { openZkTlsTunnel, type ZkTlsOptions } from '../../../shared/zk/zk-tls-tunnel.ts';
import { runFerry } from '../../support/cli.ts';
import { startManagerProcess, SESSION_MS } from '../../support/cluster.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { makeTestCertificates } from '../../support/tls-certificates.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { scratchZooKeeperWithTls, type ScratchZooKeeper } from '../../support/scratch-zookeeper.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { patient, unusedPort } from '../../support/waits.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { testManagerAccess, zkAuthEnv } from '../../support/zk-identities.ts';
import { apiClient, eventually } from '../manager/manager-support.ts';

/** Generous: the machine is shared by many test runs. */
const WAIT_MS = 240_000;

/** The shared test certificates, under the names this file uses. */
function makeFiles() {
  const certs = makeTestCertificates();
  return { ...certs, serverCert: certs.cert, serverKey: certs.key };
}
type Files = ReturnType<typeof makeFiles>;

describe('ZooKeeper over TLS', () => {
  let files: Files;
  let zk: ScratchZooKeeper;
  let tls: ZkTlsOptions;

  beforeAll(async () => {
    files = makeFiles();
    // ssl.clientAuth=need: the client certificate options are exercised, not just the CA.
    zk = await scratchZooKeeperWithTls({ cert: files.serverCert, key: files.serverKey, ca: files.ca, clientAuth: 'need' });
    tls = { ca: readFileSync(files.ca), cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) };
  }, WAIT_MS);

  afterAll(async () => {
    await zk?.stop();
    rmSync(files.dir, { recursive: true, force: true });
  });

  const connect = async (connectString: string, options: Partial<ZkTlsOptions> = {}, connectTimeoutMs = WAIT_MS, access?: ZkAccess) => {
    const client = await ZkClient.connect({ connectString, sessionTimeoutMs: 30_000, connectTimeoutMs, tls: { ...tls, ...options }, ...(access ? { access } : {}) });
    onTestFinished(() => client.close());
    return client;
  };

  it('hands the client one loopback listener per server, keeping the chroot, and stops listening when closed', async () => {
    const tunnel = await openZkTlsTunnel(`${zk.secure},${zk.secure}/ferry/x`, tls);
    onTestFinished(() => tunnel.close());
    expect(tunnel.connectString).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/ferry\/x$/);
    const ports = [...tunnel.connectString.matchAll(/:(\d+)/g)].map((match) => Number(match[1]));
    expect(await Promise.all(ports.map(isListening))).toEqual([true, true]);
    await tunnel.close();
    expect(await Promise.all(ports.map(isListening))).toEqual([false, false]);
  });

  it('reaches the live server of an ensemble whose other server is down (each server has its own listener)', async () => {
    const client = await connect(`127.0.0.1:${await unusedPort()},${zk.secure}`);
    await client.create('/tls-ensemble', 'reached');
    expect((await client.getData('/tls-ensemble')).data.toString()).toBe('reached');
  }, WAIT_MS);

  it('a ZkClient through the tunnel creates, reads and watches znodes on the secure port', async () => {
    const client = await connect(`${zk.secure}`);
    await client.mkdirp('/tls-a/deep');
    const changed = new Promise((resolve) => void client.exists('/tls-a/deep/leaf', resolve));
    await client.create('/tls-a/deep/leaf', 'over tls');
    await changed;
    expect((await client.getData('/tls-a/deep/leaf')).data.toString()).toBe('over tls');
    // What it wrote is really there: a plain client on the plain port of the same server reads it.
    const plain = await ZkClient.connect({ connectString: zk.plain, connectTimeoutMs: WAIT_MS });
    onTestFinished(() => plain.close());
    expect((await plain.getData('/tls-a/deep/leaf')).data.toString()).toBe('over tls');
  }, WAIT_MS);

  it('keeps its session across a cut connection: the reconnect is a fresh TLS connection', async () => {
    const host = zk.secure.slice(0, zk.secure.lastIndexOf(':'));
    const port = Number(zk.secure.slice(zk.secure.lastIndexOf(':') + 1));
    let proxy = await TcpProxy.start(host, port);
    const proxyPort = proxy.port;
    onTestFinished(() => proxy.close());
    const client = await connect(`127.0.0.1:${proxyPort}`);
    const session = client.sessionId;
    await client.create('/tls-cut', 'before');
    const states: string[] = [];
    client.onState((state) => states.push(state));
    // Every TCP connection dies; the same port listens again, as after a network blip.
    await proxy.close();
    proxy = await TcpProxy.start(host, port, proxyPort);
    await eventually(() => (states.includes('connected') ? true : undefined), patient(60_000), 'the client to reconnect');
    expect(states[0]).toBe('disconnected');
    expect(client.sessionId).toBe(session);
    await client.setData('/tls-cut', 'after');
    expect((await client.getData('/tls-cut')).data.toString()).toBe('after');
    expect(proxy.list().length).toBeGreaterThan(0);
  }, WAIT_MS);

  it('logs a refusal met on a reconnect (an impostor on the path) with its code, and carries on once the real server is back', async () => {
    const impostor = createTlsServer({ cert: readFileSync(files.strangerCert), key: readFileSync(files.strangerKey) }, (socket) => socket.destroy());
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => impostor.close(() => resolve())));
    const impostorPort = (impostor.address() as AddressInfo).port;
    const entries: Array<{ level: number; code?: string; server?: string }> = [];
    const log = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => { entries.push(JSON.parse(chunk.toString()) as (typeof entries)[number]); done(); } }) });

    const host = zk.secure.slice(0, zk.secure.lastIndexOf(':'));
    const port = Number(zk.secure.slice(zk.secure.lastIndexOf(':') + 1));
    let proxy = await TcpProxy.start(host, port);
    const proxyPort = proxy.port;
    onTestFinished(() => proxy.close());
    const client = await ZkClient.connect({ connectString: `127.0.0.1:${proxyPort}`, sessionTimeoutMs: 30_000, connectTimeoutMs: WAIT_MS, tls, log });
    onTestFinished(() => client.close());
    const session = client.sessionId;
    await client.create('/tls-impostor', 'before');

    await proxy.close();
    proxy = await TcpProxy.start('127.0.0.1', impostorPort, proxyPort);
    await eventually(() => (entries.some((entry) => entry.code === 'FERRY_ERR_ZK_TLS_REFUSED' && entry.level === 50) ? true : undefined), patient(60_000), 'the refusal to be logged');
    expect(entries.find((entry) => entry.code === 'FERRY_ERR_ZK_TLS_REFUSED')?.server).toBe(`127.0.0.1:${proxyPort}`);

    await proxy.close();
    proxy = await TcpProxy.start(host, port, proxyPort);
    await eventually(async () => ((await client.setData('/tls-impostor', 'after').then(() => true, () => false)) ? true : undefined), patient(60_000), 'the client to carry on');
    expect(client.sessionId).toBe(session);
  }, WAIT_MS);

  it('refuses a server that another CA signed, a host name the certificate lacks, and a client certificate ZooKeeper does not trust, with FERRY_ERR_ZK_TLS_REFUSED', async () => {
    const refusal = (promise: Promise<unknown>) => promise.then(() => 'connected', (error: unknown) => error);
    const [wrongCa, wrongName, noClientCert, stranger] = await Promise.all([
      refusal(connect(zk.secure, { ca: readFileSync(files.otherCa) })),
      refusal(connect(zk.secure.replace('127.0.0.1', 'localhost'))),
      refusal(ZkClient.connect({ connectString: zk.secure, connectTimeoutMs: WAIT_MS, tls: { ca: tls.ca } })),
      refusal(connect(zk.secure, { cert: readFileSync(files.strangerCert), key: readFileSync(files.strangerKey) })),
    ]);
    for (const error of [wrongCa, wrongName, noClientCert, stranger]) {
      expect(isFerryError(error, 'FERRY_ERR_ZK_TLS_REFUSED'), String(error)).toBe(true);
    }
    expect(String(wrongCa)).toMatch(/unable to verify/i);
    expect(String(stranger)).toMatch(/did not accept this client's certificate/);
    expect(String(wrongName)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  }, WAIT_MS);

  it('plain clients cannot talk to the secure port', async () => {
    const plain = await ZkClient.connect({ connectString: zk.secure, connectTimeoutMs: 5_000 }).then(
      async (client) => {
        await client.close();
        return 'connected';
      },
      (error: unknown) => error,
    );
    expect(isFerryError(plain, 'FERRY_ERR_ZK_CONNECT_TIMEOUT'), String(plain)).toBe(true);
  }, WAIT_MS);

  it('TLS to a plain port fails at the connect timeout naming the TLS failure, not as a bare timeout', async () => {
    const failure = await connect(zk.plain, {}, 5_000).then(() => 'connected', (error: unknown) => error);
    expect(isFerryError(failure, 'FERRY_ERR_ZK_TLS_REFUSED'), String(failure)).toBe(true);
    expect(String(failure)).toContain(zk.plain);
  }, WAIT_MS);

  it('a manager given the wrong CA stops with FERRY_ERR_ZK_TLS_REFUSED and the reason', async () => {
    const result = await runFerry(['manager', '--zk', zk.secure, '--port', '0', '--zk-tls-ca', files.otherCa, '--zk-tls-cert', files.clientCert, '--zk-tls-key', files.clientKey], {
      timeoutMs: WAIT_MS,
      env: { FERRY_ADMIN_TOKEN: 'test-admin-token-0123456789', ...zkAuthEnv('manager') },
    });
    expect(result.code).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toMatch(/FERRY_ERR_ZK_TLS_REFUSED/);
    expect(output).toContain(zk.secure);
  }, WAIT_MS);

  it('a node given the wrong CA logs FERRY_ERR_ZK_TLS_REFUSED and keeps running (from its cache), trying again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'ferry-zk-tls-node-'));
    onTestFinished(() => rmSync(cacheDir, { recursive: true, force: true }));
    const node = startFerry(['node', '--zk', zk.secure, '--id', 'n-refused', '--dc', 'dc1', '--cache-dir', cacheDir, '--zk-tls-ca', files.otherCa, '--zk-tls-cert', files.clientCert, '--zk-tls-key', files.clientKey]);
    // Each failed attempt is logged with the code: two of them show the node tried again.
    await eventually(() => (node.output().split('FERRY_ERR_ZK_TLS_REFUSED').length > 2 ? true : undefined), patient(60_000), 'two refused attempts to be logged');
    expect(node.child.exitCode).toBeNull();
    expect(node.child.signalCode).toBeNull();
  }, WAIT_MS);

  it('a manager and a node with --zk-tls-* elect, register and replicate a channel, rows compared at the end', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const chroot = `/ferry-tls-${pair.schema}`;
    // The cluster runs under the test identities (ZooKeeper ACLs over TLS): read as a manager.
    const admin = await connect(zk.secure, {}, WAIT_MS, testManagerAccess);
    await admin.mkdirp(chroot);
    const connectString = `${zk.secure}${chroot}`;
    const tlsFlags = ['--zk-tls-ca', files.ca, '--zk-tls-cert', files.clientCert, '--zk-tls-key', files.clientKey];

    const manager = await startManagerProcess(connectString, 'm1', tlsFlags);
    const api = apiClient(manager.url);
    await eventually(async () => ((await api.get<{ leader: string | null }>('/api/v1/cluster')).body.leader === 'm1' ? true : undefined), patient(60_000), 'm1 to lead');
    const token = await api.post<{ token: string }>('/api/v1/tokens', { name: 'n1', role: 'node', node: 'n1' });
    expect(token.status).toBe(201);
    const cacheDir = mkdtempSync(join(tmpdir(), 'ferry-zk-tls-node-'));
    onTestFinished(() => rmSync(cacheDir, { recursive: true, force: true }));
    // The node takes its files from the environment, the manager from flags: both ways work.
    const node = startFerry(['node', '--zk', connectString, '--id', 'n1', '--dc', 'dc1', '--cache-dir', cacheDir, '--session-timeout-ms', String(SESSION_MS), '--stats-seconds', '1'], {
      FERRY_NODE_TOKEN: token.body.token,
      FERRY_ZK_TLS_CA: files.ca,
      FERRY_ZK_TLS_CERT: files.clientCert,
      FERRY_ZK_TLS_KEY: files.clientKey,
    });
    await eventually(() => (node.output().includes('node n1 registered') ? true : undefined), patient(60_000), 'the node to register');
    expect(await admin.getChildren(`${chroot}/ferry/v1/nodes`)).toContain('n1');

    const { users } = inject('services');
    const endpoint = (db: typeof pair.source) => ({ host: db.instance.host, port: db.instance.port });
    expect((await api.post('/api/v1/datasources', { groupKey: 'src', dc: 'dc1', master: endpoint(pair.source), ...users.replication })).status).toBe(201);
    expect((await api.post('/api/v1/datasources', { groupKey: 'dst', dc: 'dc1', master: endpoint(pair.target), ...users.app })).status).toBe(201);
    expect((await api.post('/api/v1/channels', { name: 'orders', pipelines: [{ name: pair.schema, source: 'src', target: 'dst', tables: [`${pair.schema}.*`] }] })).status).toBe(201);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const pipeline = async () => (await api.get<ChannelView>('/api/v1/channels/orders')).body.pipelines[0]!;
    await eventually(async () => ((await pipeline()).state === 'running' ? true : undefined), patient(120_000), 'the pipeline to run');
    expect((await pipeline()).node).toBe('n1');

    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 60, seed: 12 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    expect(node.child.exitCode).toBeNull();
    expect(manager.process.child.exitCode).toBeNull();
  }, WAIT_MS * 2);

  describe('an ensemble of three', () => {
    let ensemble: ScratchZooKeeper;

    beforeAll(async () => {
      ensemble = await scratchZooKeeperWithTls({ cert: files.serverCert, key: files.serverKey, ca: files.ca, clientAuth: 'need' }, 3);
    }, WAIT_MS);

    afterAll(() => ensemble?.stop());

    it('moves the session to another server through that server\'s own listener when its server dies', async () => {
      // A TCP forwarder in front of each secure port shows which server the client talks to.
      const servers = ensemble.secure.split(',');
      const proxies = await Promise.all(servers.map((server) => TcpProxy.start('127.0.0.1', Number(server.slice(server.lastIndexOf(':') + 1)))));
      onTestFinished(() => Promise.all(proxies.map((proxy) => proxy.close())).then(() => undefined));
      const client = await connect(proxies.map((proxy) => `127.0.0.1:${proxy.port}`).join(','));
      const session = client.sessionId;
      await client.create('/tls-ensemble', 'one');
      const liveLink = (index: number) => proxies[index]!.list().some((link) => !link.clientClosed);
      const current = proxies.findIndex((_, index) => liveLink(index));
      expect(current).toBeGreaterThanOrEqual(0);
      process.kill(ensemble.pids[current]!, 'SIGKILL');
      await eventually(async () => {
        const moved = proxies.findIndex((_, index) => index !== current && liveLink(index));
        if (moved < 0) return undefined;
        return (await client.setData('/tls-ensemble', 'two').then(() => true, () => false)) ? true : undefined;
      }, patient(60_000), 'the client to carry on through another server');
      expect(client.sessionId).toBe(session);
      expect((await client.getData('/tls-ensemble')).data.toString()).toBe('two');
    }, WAIT_MS);
  });
});
