import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigStore, encode } from '../../../shared/cluster/config-store.ts';
import { managerAccess, nodeAccess } from '../../../shared/cluster/zk-access.ts';
import { aclFor, nodeCreatedAcl } from '../../../shared/cluster/zk-acl-policy.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { OPEN_ACL, digestId, type ZkAccess } from '../../../shared/zk/zk-acl.ts';
import { ZkClient } from '../../../shared/zk/zk-client.ts';
import { testCluster } from '../../support/cluster.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { MIN_WAIT_MS, staysTrue } from '../../support/waits.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { TEST_MANAGER_ZK_AUTH, TEST_ZK_MANAGER, TEST_ZK_NODE, testManagerAccess } from '../../support/zk-identities.ts';
import { ADMIN_TOKEN, apiClient, eventually, testManager } from '../manager/manager-support.ts';
import { secretUsers } from './secret-users.ts';

/**
 * ZooKeeper closed to outsiders: a real manager and node populate the tree through the API,
 * then clients with no credentials, wrong ones, the nodes' and the managers' walk all of it.
 */

const anonymous: ZkAccess = { aclFor: () => OPEN_ACL, identity: 'anonymous' };
const wrong: ZkAccess = { credentials: [{ user: TEST_ZK_MANAGER.user, password: 'not-the-password' }, { user: TEST_ZK_NODE.user, password: 'nor-this' }], aclFor: () => OPEN_ACL, identity: 'wrong' };

async function client(connectString: string, access: ZkAccess): Promise<ZkClient> {
  const zk = await ZkClient.connect({ connectString, sessionTimeoutMs: 4_000, access });
  onTestFinished(() => zk.close());
  return zk;
}

/** Every znode at and under `path`. */
async function walk(zk: ZkClient, path = '/ferry'): Promise<string[]> {
  const children = await zk.getChildren(path).catch((error: unknown) => {
    if (error instanceof FerryError && error.code === 'FERRY_ERR_ZK_NO_NODE') return [];
    throw error;
  });
  return [path, ...(await Promise.all(children.map((child) => walk(zk, `${path}/${child}`)))).flat()];
}

/** The error code an operation ends with, or 'allowed'. */
const outcome = (operation: Promise<unknown>): Promise<string> =>
  operation.then(() => 'allowed', (error: unknown) => (error instanceof FerryError ? error.code : String(error)));

/** Every operation but exists() on `path`, each with its outcome, for those not refused with NO_AUTH. */
async function notRefused(zk: ZkClient, path: string, operations: ReadonlyArray<'getData' | 'getChildren' | 'getAcl' | 'setData' | 'create' | 'remove'>): Promise<string[]> {
  const run = {
    getData: () => zk.getData(path),
    getChildren: () => zk.getChildren(path),
    getAcl: () => zk.getAcl(path),
    setData: () => zk.setData(path, 'intruder'),
    create: () => zk.create(`${path}/intruder`, 'x'),
    remove: () => zk.remove(path),
  };
  const results = await Promise.all(operations.map(async (op) => [op, await outcome(run[op]())] as const));
  return results.filter(([, code]) => code !== 'FERRY_ERR_ZK_NO_AUTH').map(([op, code]) => `${op} ${path}: ${code}`);
}

const EVERY_OPERATION = ['getData', 'getChildren', 'getAcl', 'setData', 'create', 'remove'] as const;

describe('ZooKeeper authentication and ACLs', () => {
  it('lets no outsider read, list, write, create or delete anything under the root; nodes never reach tokens nor write configuration; insiders find no password', async () => {
    // Database users of the test's own with a distinctive password, so that a search for it
    // in what insiders read finds only real leaks.
    const pair = await replicationPair();
    const users = await secretUsers(pair);
    const cluster = await testCluster({ pair, credentials: users, managers: 1, nodes: ['n1'] });
    expect((await cluster.api.post('/api/v1/channels/orders/start', {})).status).toBe(200);
    await cluster.runningOn({ node: 'n1' });
    // A ROLLBACK makes the node write its acknowledgement, the manager its lock and events.
    expect((await cluster.api.post('/api/v1/channels/orders/rollback', { reason: 'test: populate the tree' })).status).toBe(200);
    const viewer = await cluster.api.post<{ token: string }>('/api/v1/tokens', { name: 'viewer-1', role: 'viewer' });
    expect(viewer.status).toBe(201);

    const insider = await zkClient(cluster.zk);
    const paths = await walk(insider);
    for (const expected of [zkPaths.dataSource('src'), zkPaths.channel('orders'), zkPaths.permit('orders'), zkPaths.node('n1'), zkPaths.rollbackAck('orders', 'n1'), zkPaths.assignment(cluster.pipeline)]) expect(paths).toContain(expected);
    const tokens = paths.filter((path) => path.startsWith(`${zkPaths.tokens}/`));
    expect(tokens.length).toBeGreaterThanOrEqual(2); // the node's and the viewer's
    // Names are public (exists() ignores ACLs): a token znode is named by the token's hash only.
    expect(paths).toContain(zkPaths.token(createHash('sha256').update(viewer.body.token).digest('hex')));
    expect(paths.filter((path) => path.includes(viewer.body.token) || path.includes(ADMIN_TOKEN))).toEqual([]);

    // (a), (b): no credentials, and wrong ones. exists() still answers: ZOOKEEPER-2590.
    for (const access of [anonymous, wrong]) {
      const outsider = await client(cluster.zk, access);
      const leaks = (await Promise.all(paths.map((path) => notRefused(outsider, path, EVERY_OPERATION)))).flat();
      expect(leaks, `${access.identity} client`).toEqual([]);
      expect(await outsider.exists(zkPaths.dataSource('src'))).not.toBeNull();
    }

    // Nothing world-readable, and only the two identities named.
    const ids = [digestId(TEST_ZK_MANAGER), digestId(TEST_ZK_NODE)];
    for (const path of paths) {
      const { acl } = await insider.getAcl(path);
      expect(acl.filter((entry) => entry.scheme !== 'digest' || !ids.includes(entry.id)), path).toEqual([]);
    }

    // (c) the nodes' identity: no tokens at all; configuration read-only.
    const node = await client(cluster.zk, nodeAccess(TEST_ZK_NODE));
    const nodeLeaks = [
      ...(await Promise.all([zkPaths.tokens, ...tokens].map((path) => notRefused(node, path, EVERY_OPERATION)))).flat(),
      ...(await notRefused(node, zkPaths.dataSource('src'), ['setData', 'remove'])),
      ...(await notRefused(node, zkPaths.dataSources, ['create'])),
      ...(await notRefused(node, zkPaths.channel('orders'), ['setData', 'remove'])),
      ...(await notRefused(node, zkPaths.configEpoch, ['setData', 'remove'])),
    ];
    expect(nodeLeaks).toEqual([]);
    expect(JSON.parse((await node.getData(zkPaths.dataSource('src'))).data.toString('utf8'))).toMatchObject({ groupKey: 'src' });

    // (d) a manager's session reads everything.
    const manager = await client(cluster.zk, managerAccess(TEST_MANAGER_ZK_AUTH));
    const unread = (await Promise.all(paths.map(async (path) => [path, await outcome(manager.getData(path))] as const)))
      .filter(([, result]) => result !== 'allowed' && result !== 'FERRY_ERR_ZK_NO_NODE');
    expect(unread).toEqual([]);

    // (e) what insiders read holds no password: the data sources hold sealed envelopes.
    const contents = await Promise.all(paths.map(async (path) => [path, (await manager.getData(path).catch(() => ({ data: Buffer.alloc(0) }))).data.toString('utf8')] as const));
    expect(contents.filter(([, data]) => data.includes(users.password)).map(([path]) => path)).toEqual([]);
    for (const groupKey of ['src', 'dst']) {
      const record = JSON.parse((await manager.getData(zkPaths.dataSource(groupKey))).data.toString('utf8')) as { password: string };
      expect(record.password).toMatch(/^ferry-secret:v1:[0-9a-f]{16}:/);
    }
  });

  it('a manager with credentials sets the policy\'s ACL on a tree made world-open before ACLs; a node with credentials waits for it', async () => {
    const zk = await zkChroot();
    // As an operator's chroot made with zkCli would be: open, as was everything before ACLs.
    await (await zkClient(zk)).setAcl('/', OPEN_ACL);
    const old = await client(zk, anonymous);
    const store = await ConfigStore.open(old);
    await store.edit(() => [
      { op: 'create', path: zkPaths.dataSource('legacy'), data: encode({ groupKey: 'legacy', dc: 'dc1', master: { host: '127.0.0.1', port: 1 }, active: 'master', user: 'u', password: 'p' }) },
      { op: 'create', path: zkPaths.token('cd'.repeat(32)), data: encode({ name: 'old', role: 'admin', createdAt: new Date().toISOString() }) },
    ]);
    const before = await walk(old);
    expect((await old.getAcl(zkPaths.dataSource('legacy'))).acl).toEqual(OPEN_ACL);

    // A node with credentials started first waits: on an open tree its znodes, granted to the
    // nodes alone, would shut out managers still running without credentials.
    const cacheDir = await mkdtemp(join(tmpdir(), 'ferry-zk-acl-'));
    onTestFinished(() => rm(cacheDir, { recursive: true, force: true }));
    startFerry(['node', '--zk', zk, '--id', 'n1', '--dc', 'dc1', '--cache-dir', cacheDir, '--session-timeout-ms', '4000']);
    await staysTrue(async () => (await old.exists(zkPaths.node('n1'))) === null, 3_000);

    await testManager(zk);
    await eventually(async () => ((await old.exists(zkPaths.node('n1'))) === null ? undefined : true), MIN_WAIT_MS, 'the node to register once the tree is migrated');

    const insider = await zkClient(zk);
    const ids = testManagerAccess.identities;
    const after = await walk(insider);
    for (const path of before) expect(after).toContain(path);
    const registration = (await insider.getAcl(zkPaths.node('n1'))).acl;
    expect([aclFor(zkPaths.node('n1'), ids), nodeCreatedAcl(ids.node)]).toContainEqual(registration);
    for (const path of after.filter((p) => p !== zkPaths.node('n1'))) expect((await insider.getAcl(path)).acl, path).toEqual(aclFor(path, ids));
    const outsider = await client(zk, anonymous);
    expect(await outcome(outsider.getData(zkPaths.token('cd'.repeat(32))))).toBe('FERRY_ERR_ZK_NO_AUTH');
    expect(await outcome(outsider.getChildren(zkPaths.dataSources))).toBe('FERRY_ERR_ZK_NO_AUTH');
  });

  it('runs as before, world-open, under --zk-insecure', async () => {
    const zk = await zkChroot();
    await (await zkClient(zk)).setAcl('/', OPEN_ACL);
    const noCredentials = { FERRY_ZK_AUTH: '', FERRY_ZK_NODE_AUTH: '' };
    const manager = startFerry(['manager', '--zk', zk, '--port', '0', '--id', 'm1', '--session-timeout-ms', '4000', '--zk-insecure'], { FERRY_ADMIN_TOKEN: ADMIN_TOKEN, ...noCredentials });
    await eventually(() => (/listening on/.test(manager.output()) ? true : undefined), MIN_WAIT_MS, 'the manager to listen');
    const cacheDir = await mkdtemp(join(tmpdir(), 'ferry-zk-acl-'));
    onTestFinished(() => rm(cacheDir, { recursive: true, force: true }));
    const node = startFerry(['node', '--zk', zk, '--id', 'n1', '--dc', 'dc1', '--cache-dir', cacheDir, '--session-timeout-ms', '4000', '--zk-insecure'], noCredentials);
    const anyone = await client(zk, anonymous);
    await eventually(async () => ((await anyone.exists(zkPaths.node('n1'))) === null ? undefined : true), MIN_WAIT_MS, 'the node to register');
    expect((await anyone.getAcl(zkPaths.node('n1'))).acl).toEqual(OPEN_ACL);
    expect((await anyone.getAcl(zkPaths.configEpoch)).acl).toEqual(OPEN_ACL);
    expect(node.child.exitCode).toBeNull();
  });

  it('refuses to start without credentials, and stops with FERRY_ERR_ZK_NO_AUTH under wrong ones', async () => {
    const cluster = await testCluster({ managers: 1, nodes: [] });
    const none = startFerry(['manager', '--zk', cluster.zk, '--port', '0', '--id', 'm-none'], { FERRY_ADMIN_TOKEN: ADMIN_TOKEN, FERRY_ZK_AUTH: '', FERRY_ZK_NODE_AUTH: '' });
    expect(await none.exited).toBe(1);
    expect(none.output()).toContain('FERRY_ERR_ZK_AUTH_MISSING');

    const badManager = startFerry(['manager', '--zk', cluster.zk, '--port', '0', '--id', 'm-bad'], { FERRY_ADMIN_TOKEN: ADMIN_TOKEN, FERRY_ZK_AUTH: `${TEST_ZK_MANAGER.user}:wrong`, FERRY_ZK_NODE_AUTH: `${TEST_ZK_NODE.user}:wrong` });
    expect(await badManager.exited).toBe(1);
    expect(badManager.output()).toContain('FERRY_ERR_ZK_NO_AUTH');

    const badNode = startFerry(['node', '--zk', cluster.zk, '--id', 'n-bad', '--dc', 'dc1', '--session-timeout-ms', '4000'], { FERRY_ZK_NODE_AUTH: `${TEST_ZK_NODE.user}:wrong` });
    expect(await badNode.exited).not.toBe(0);
    expect(badNode.output()).toContain('FERRY_ERR_ZK_NO_AUTH');

    // The cluster itself is untouched: its manager still answers.
    const api = apiClient(cluster.managers[0]!.url);
    await eventually(async () => ((await api.get('/api/v1/cluster')).status === 200 ? true : undefined), 30_000, 'the manager to answer');
  });
});
