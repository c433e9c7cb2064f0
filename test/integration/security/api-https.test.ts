import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import type { ManagerRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { HttpClient } from '../../../shared/http/http-client.ts';
import { clientTls } from '../../../shared/tls/tls-options.ts';
import type { ChannelView, PipelineView } from '../../../manager/index.ts';
import { ADMIN_TOKEN, eventually } from '../manager/manager-support.ts';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';

/** Generous: the machine is shared by many test runs. */
const WAIT_MS = 240_000;
const SESSION_MS = 4_000;

/** The API over Ferry's own HTTP client, trusting `ca` (the system's CAs without it). */
function httpsApi(baseUrl: string, ca?: string, token: string = ADMIN_TOKEN) {
  const client = new HttpClient(ca === undefined ? undefined : clientTls({ ca }, 'test'));
  onTestFinished(() => client.close());
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await client.request({
      method,
      url: `${baseUrl}${path}`,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: 60_000,
    });
    return { status: response.status, body: (response.text === '' ? undefined : JSON.parse(response.text)) as T };
  };
  return { get: <T>(path: string) => call<T>('GET', path), post: <T>(path: string, body?: unknown) => call<T>('POST', path, body) };
}

/** The code of what a call failed with (a FerryError's, else the socket's), or 'answered'. */
async function failure(call: Promise<unknown>): Promise<string> {
  return call.then(() => 'answered', (error: { code?: string; cause?: { code?: string } }) => error.code ?? error.cause?.code ?? 'failed');
}

/** The node's log lines (pino JSON) that carry an error code. */
function loggedCodes(process: FerryProcess): string[] {
  return process.output().split('\n').flatMap((line) => {
    try {
      const code = (JSON.parse(line) as { code?: unknown }).code;
      return typeof code === 'string' ? [code] : [];
    } catch {
      return [];
    }
  });
}

describe('HTTPS for the API', () => {
  let certs: TestCertificates;
  beforeAll(() => {
    certs = makeTestCertificates();
  });
  afterAll(() => certs.remove());

  it('a manager with --tls-cert and --tls-key answers over HTTPS only, nodes with the CA report through it, and a node with a wrong CA sends nothing and says why', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const zk = await zkChroot();
    const { users } = inject('services');
    const cacheRoot = await mkdtemp(join(tmpdir(), 'ferry-https-'));
    onTestFinished(() => rm(cacheRoot, { recursive: true, force: true }));

    const manager = startFerry(['manager', '--zk', zk, '--port', '0', '--id', 'm1', '--session-timeout-ms', String(SESSION_MS), '--tls-cert', certs.cert, '--tls-key', certs.key], { FERRY_ADMIN_TOKEN: ADMIN_TOKEN });
    const url = await eventually(() => {
      if (manager.child.exitCode !== null) throw new Error(`the manager exited: ${manager.output()}`);
      return /listening on (\S+)/.exec(manager.output())?.[1];
    }, WAIT_MS, 'the manager to listen');
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // What nodes find: the https URL.
    const registered = JSON.parse((await (await zkClient(zk)).getData(zkPaths.manager('m1'))).data.toString('utf8')) as ManagerRecord;
    expect(registered.url).toBe(url);

    // (a) The API answers over HTTPS to a client trusting the CA.
    const api = httpsApi(url, certs.ca);
    expect((await api.get('/api/v1/cluster')).status).toBe(200);

    // (b) Plain HTTP to the same port gets no answer: the TLS server drops it.
    const plain = new HttpClient();
    onTestFinished(() => plain.close());
    const httpUrl = url.replace(/^https:/, 'http:');
    expect(await failure(plain.request({ method: 'GET', url: `${httpUrl}/api/v1/health`, timeoutMs: 60_000 }))).toBe('ECONNRESET');
    expect(await failure(fetch(`${httpUrl}/api/v1/health`))).not.toBe('answered');

    // (c) A client without the CA, with another CA, or calling a name the certificate does not list is refused.
    expect(await failure(httpsApi(url).get('/api/v1/health'))).toBe('FERRY_ERR_API_TLS_REFUSED');
    expect(await failure(httpsApi(url, certs.otherCa).get('/api/v1/health'))).toBe('FERRY_ERR_API_TLS_REFUSED');
    expect(await failure(httpsApi(url.replace('127.0.0.1', 'localhost'), certs.ca).get('/api/v1/health'))).toBe('FERRY_ERR_API_TLS_REFUSED');
    expect(await failure(fetch(`${url}/api/v1/health`))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');

    const nodeToken = async (id: string) => {
      const created = await api.post<{ token: string }>('/api/v1/tokens', { name: `node-${id}`, role: 'node', node: id });
      expect(created.status).toBe(201);
      return created.body.token;
    };
    const startNode = async (id: string, args: string[], env: NodeJS.ProcessEnv) => {
      const node = startFerry(['node', '--zk', zk, '--id', id, '--dc', 'dc1', '--cache-dir', join(cacheRoot, id), '--session-timeout-ms', String(SESSION_MS), '--stats-seconds', '1', ...args], { FERRY_NODE_TOKEN: await nodeToken(id), ...env });
      await eventually(() => (node.output().includes(`node ${id} registered`) ? true : undefined), WAIT_MS, `node ${id} to register`);
      return node;
    };

    // (e) A node that trusts another CA: it runs its pipeline, but its stats never reach the manager.
    const wrongCa = await startNode('n-wrong-ca', ['--ca', certs.otherCa], {});
    const endpoint = (db: typeof pair.source) => ({ host: db.instance.host, port: db.instance.port });
    expect((await api.post('/api/v1/datasources', { groupKey: 'src', dc: 'dc1', master: endpoint(pair.source), ...users.replication })).status).toBe(201);
    expect((await api.post('/api/v1/datasources', { groupKey: 'dst', dc: 'dc1', master: endpoint(pair.target), ...users.app })).status).toBe(201);
    const spec = { name: 'orders', pipelines: [{ name: pair.schema, source: 'src', target: 'dst', tables: [`${pair.schema}.*`] }] };
    expect((await api.post('/api/v1/channels', spec)).status).toBe(201);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const view = async () => (await api.get<ChannelView>('/api/v1/channels/orders')).body.pipelines[0]!;
    // Running there: the node claimed the pipeline in the target (the fence holds its epoch).
    const runsOn = (id: string) => eventually(async () => {
      const [rows] = await pair.target.connection.query('SELECT owner_scope FROM _ferry.fences WHERE pipeline = ?', [pair.schema]).catch(() => [[]]);
      return (rows as { owner_scope: string }[])[0]?.owner_scope === `node:${id}` ? true : undefined;
    }, WAIT_MS, `the pipeline to run on ${id}`);
    await runsOn('n-wrong-ca');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 20, seed: 12 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    await eventually(() => (loggedCodes(wrongCa).includes('FERRY_ERR_API_TLS_REFUSED') ? true : undefined), WAIT_MS, 'n-wrong-ca to log FERRY_ERR_API_TLS_REFUSED');
    expect(await view()).toMatchObject({ node: 'n-wrong-ca', reportedBy: null, statsAt: null } satisfies Partial<PipelineView>);
    expect(wrongCa.child.exitCode).toBeNull();

    // (d) A node with the CA (here from FERRY_CA_FILE) takes over, and its figures arrive over HTTPS.
    const withCa = await startNode('n-ca', [], { FERRY_CA_FILE: certs.ca });
    expect(await wrongCa.kill('SIGTERM')).toBe(0);
    await runsOn('n-ca');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 20, seed: 13 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    const reported = await eventually(async () => {
      const current = await view();
      return current.reportedBy?.node === 'n-ca' && current.state === 'running' && current.position !== null ? current : undefined;
    }, WAIT_MS, 'stats of n-ca in the pipeline view');
    expect(reported).toMatchObject({ node: 'n-ca', lagMs: expect.any(Number) as number, statsAt: expect.any(String) as string });
    expect(loggedCodes(withCa)).not.toContain('FERRY_ERR_API_TLS_REFUSED');
    expect(withCa.child.exitCode).toBeNull();
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
  }, WAIT_MS * 4);
});
