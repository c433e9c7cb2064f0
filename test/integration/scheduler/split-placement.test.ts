import { describe, expect, it } from 'vitest';
import { scheduler } from '../../../manager/index.ts';
import type { ChannelView } from '../../../manager/api/views.ts';
import { nodeAccess } from '../../../shared/cluster/zk-access.ts';
import type { AssignmentRecord, NodeRecord, SelectAssignmentRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { openPipeSecret, readKeyring } from '../../../shared/secrets/index.ts';
import { ZkClient } from '../../../shared/zk/zk-client.ts';
import { testSecretKeyFile } from '../../support/secret-key.ts';
import { TEST_ZK_NODE } from '../../support/zk-identities.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, eventually, testManager } from '../manager/manager-support.ts';

/**
 * Split placement (docs/split-pipelines.md) against a real manager and ZooKeeper. The "nodes"
 * are node records this test registers itself, each on its own session under the nodes'
 * ZooKeeper identity (so the ACL policy is exercised as a node would be): source a in dc-a,
 * target b in dc-b.
 */

const PROTECTION_MS = 1_500;
const WAIT_MS = 60_000;

interface TestNode { id: string; client: ZkClient; vanish(): Promise<void> }

async function registerNode(connect: string, id: string, dc: string, pipe?: NodeRecord['pipe']): Promise<TestNode> {
  const client = await ZkClient.connect({ connectString: connect, sessionTimeoutMs: 4_000, access: nodeAccess(TEST_ZK_NODE) });
  const record: NodeRecord = { id, dc, address: `127.0.0.1:${7000 + id.length}`, capacity: { pipelines: 10 }, state: 'up', version: 'test', startedAt: new Date().toISOString(), ...(pipe ? { pipe } : {}) };
  await client.create(zkPaths.node(id), JSON.stringify(record), 'ephemeral');
  let closed = false;
  const vanish = async () => {
    if (!closed) await client.close();
    closed = true;
  };
  return { id, client, vanish };
}

async function read<T>(zk: ZkClient, path: string): Promise<{ value: T; version: number } | undefined> {
  try {
    const { data, version } = await zk.getData(path);
    return { value: JSON.parse(data.toString('utf8')) as T, version };
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
    throw error;
  }
}

/** Both records of p1 once they satisfy `accept` (read one after the other: a test of one record says nothing of the other). */
async function splitWhen(zk: ZkClient, accept: (load: AssignmentRecord, select: SelectAssignmentRecord) => boolean, what: string) {
  return eventually(async () => {
    const [load, select] = await Promise.all([read<AssignmentRecord>(zk, zkPaths.assignment('p1')), read<SelectAssignmentRecord>(zk, zkPaths.selectAssignment('p1'))]);
    return load && select && accept(load.value, select.value) ? { load: load.value, select: select.value, selectVersion: select.version } : undefined;
  }, WAIT_MS, what);
}

const keys = () => readKeyring(testSecretKeyFile());

async function cluster(connect: string, dcs: { a: string; b: string }, options: Parameters<typeof testManager>[1] = {}) {
  const manager = await testManager(connect, { protectionPeriodMs: PROTECTION_MS, ...options });
  const api = apiClient(manager.url);
  // A manager without a key refuses passwords: its data sources have none.
  const password = 'secretKeyFile' in options && options.secretKeyFile === undefined ? { password: '' } : {};
  expect((await api.post('/api/v1/datasources', dataSource('a', 3306, { dc: dcs.a, ...password }))).status).toBe(201);
  expect((await api.post('/api/v1/datasources', dataSource('b', 3307, { dc: dcs.b, ...password }))).status).toBe(201);
  expect((await api.post('/api/v1/channels', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }]))).status).toBe(201);
  return { manager, api, admin: await zkClient(connect) };
}

const stagesOf = async (api: ReturnType<typeof apiClient>) => (await api.get<ChannelView>('/api/v1/channels/c1')).body.pipelines[0]?.stages;

describe('split placement', () => {
  it('splits a pipeline across datacenters: two records, distinct epochs, one sealed secret; the view shows the stages; a node acks its select side', async () => {
    const connect = await zkChroot();
    const { api, admin } = await cluster(connect, { a: 'dc-a', b: 'dc-b' });
    const sa = await registerNode(connect, 'sa1', 'dc-a');
    await registerNode(connect, 'lb1', 'dc-b', { address: '127.0.0.1:9401', tls: true });
    await registerNode(connect, 'plain-b', 'dc-b'); // no pipe server: never a load side
    expect((await api.post('/api/v1/channels/c1/start')).status).toBe(200);

    const { load, select, selectVersion } = await splitWhen(admin, () => true, 'p1 split');
    expect(load).toMatchObject({ node: 'lb1', state: 'pending', pipe: { selectNode: 'sa1', selectEpoch: select.epoch } });
    expect(select).toMatchObject({ node: 'sa1', state: 'pending', pipe: { loadNode: 'lb1', address: '127.0.0.1:9401', tls: true, loadEpoch: load.epoch } });
    expect(select.epoch).not.toBe(load.epoch);
    expect(select.pipe.secret).toBe(load.pipe?.secret);
    expect(select.pipe.secret).toMatch(/^ferry-secret:/);
    expect(openPipeSecret(keys, 'p1', select.pipe.secret)).toHaveLength(32);
    expect(() => openPipeSecret(keys, 'p2', select.pipe.secret)).toThrow(); // bound to its pipeline

    expect(await eventually(stagesOf.bind(null, api), WAIT_MS, 'stages in the view')).toEqual({ select: { node: 'sa1', dc: 'dc-a' }, load: { node: 'lb1', dc: 'dc-b' } });

    // The select node reads and acks its record under the nodes' identity; the leader marks it done.
    await sa.client.setData(zkPaths.selectAssignment('p1'), JSON.stringify({ ...select, state: 'acked' }), selectVersion);
    await splitWhen(admin, (_l, s) => s.state === 'done', 'select side done');

    // STOP removes both sides.
    expect((await api.post('/api/v1/channels/c1/stop')).status).toBe(200);
    await eventually(async () => ((await admin.exists(zkPaths.assignment('p1'))) === null && (await admin.exists(zkPaths.selectAssignment('p1'))) === null) || undefined, WAIT_MS, 'both records removed on STOP');
  });

  it('moves the select side off a lost node after the protection period: a new secret in both records, the load epoch unchanged', async () => {
    const connect = await zkChroot();
    // The scheduler moves the work itself here (no RESTART), which is what keeps the load record's epoch.
    const { api, admin } = await cluster(connect, { a: 'dc-a', b: 'dc-b' }, { duties: [scheduler({ protectionPeriodMs: PROTECTION_MS, secrets: () => keys() })] });
    const sa1 = await registerNode(connect, 'sa1', 'dc-a');
    await registerNode(connect, 'lb1', 'dc-b', { address: '127.0.0.1:9401', tls: false });
    expect((await api.post('/api/v1/channels/c1/start')).status).toBe(200);
    const first = await splitWhen(admin, () => true, 'p1 split');
    expect(first.select.node).toBe('sa1');
    await registerNode(connect, 'sa2', 'dc-a');

    await sa1.vanish();
    const moved = await splitWhen(admin, (l, s) => s.node === 'sa2' && l.pipe?.selectNode === 'sa2', 'select side on sa2, in both records');
    expect(moved.select).toMatchObject({ state: 'pending', previousNode: 'sa1', pipe: { loadNode: 'lb1', loadEpoch: first.load.epoch } });
    expect(moved.select.epoch).toBeGreaterThan(first.select.epoch);
    expect(moved.load).toMatchObject({ node: 'lb1', epoch: first.load.epoch, pipe: { selectNode: 'sa2', selectEpoch: moved.select.epoch } });
    expect(moved.load.pipe?.secret).toBe(moved.select.pipe.secret);
    expect(moved.select.pipe.secret).not.toBe(first.select.pipe.secret);
    expect(openPipeSecret(keys, 'p1', moved.select.pipe.secret).equals(openPipeSecret(keys, 'p1', first.select.pipe.secret))).toBe(false);
    expect(await eventually(async () => {
      const stages = await stagesOf(api);
      return stages?.select.node === 'sa2' ? stages : undefined;
    }, WAIT_MS, 'the view to show sa2')).toEqual({ select: { node: 'sa2', dc: 'dc-a' }, load: { node: 'lb1', dc: 'dc-b' } });
  });

  it('with the RESTART a lost node raises, places both sides again: the select side on the other node, a new secret, the fence epoch raised', async () => {
    const connect = await zkChroot();
    const { api, admin } = await cluster(connect, { a: 'dc-a', b: 'dc-b' });
    const sa1 = await registerNode(connect, 'sa1', 'dc-a');
    await registerNode(connect, 'lb1', 'dc-b', { address: '127.0.0.1:9401', tls: false });
    expect((await api.post('/api/v1/channels/c1/start')).status).toBe(200);
    const first = await splitWhen(admin, () => true, 'p1 split');
    await registerNode(connect, 'sa2', 'dc-a');

    await sa1.vanish();
    const moved = await splitWhen(admin, (l, s) => s.node === 'sa2' && l.pipe?.selectNode === 'sa2', 'select side on sa2, in both records');
    expect(moved.load).toMatchObject({ node: 'lb1', pipe: { selectNode: 'sa2', selectEpoch: moved.select.epoch } });
    expect(moved.load.epoch).toBeGreaterThan(first.load.epoch);
    expect(moved.select.pipe.secret).toBe(moved.load.pipe?.secret);
    expect(moved.select.pipe.secret).not.toBe(first.select.pipe.secret);
  });

  it('keeps a same-datacenter pipeline whole on one node, as before, even with pipe-capable nodes', async () => {
    const connect = await zkChroot();
    const { api, admin } = await cluster(connect, { a: 'dc-a', b: 'dc-a' });
    await registerNode(connect, 'n1', 'dc-a', { address: '127.0.0.1:9401', tls: false });
    await registerNode(connect, 'n2', 'dc-b', { address: '127.0.0.1:9402', tls: false });
    expect((await api.post('/api/v1/channels/c1/start')).status).toBe(200);
    const whole = await eventually(async () => (await read<AssignmentRecord>(admin, zkPaths.assignment('p1')))?.value, WAIT_MS, 'p1 placed');
    expect(whole.node).toBe('n1');
    expect(whole.pipe).toBeUndefined();
    expect(await read(admin, zkPaths.selectAssignment('p1'))).toBeUndefined();
    expect(await eventually(stagesOf.bind(null, api), WAIT_MS, 'stages in the view')).toEqual({ select: { node: 'n1', dc: 'dc-a' }, load: { node: 'n1', dc: 'dc-a' } });
  });

  it('keeps a pipeline across datacenters whole when the leader has no key to seal a pipe secret', async () => {
    const connect = await zkChroot();
    const { api, admin } = await cluster(connect, { a: 'dc-a', b: 'dc-b' }, { secretKeyFile: undefined });
    await registerNode(connect, 'sa1', 'dc-a');
    await registerNode(connect, 'lb1', 'dc-b', { address: '127.0.0.1:9401', tls: false });
    expect((await api.post('/api/v1/channels/c1/start')).status).toBe(200);
    const whole = await eventually(async () => (await read<AssignmentRecord>(admin, zkPaths.assignment('p1')))?.value, WAIT_MS, 'p1 placed');
    expect(whole.pipe).toBeUndefined();
    expect(await read(admin, zkPaths.selectAssignment('p1'))).toBeUndefined();
  });

  it("refuses a placement.split other than 'auto' or 'never', and keeps 'never' whole across datacenters", async () => {
    const connect = await zkChroot();
    const { api, admin } = await cluster(connect, { a: 'dc-a', b: 'dc-b' });
    const pipelines = (split: string) => ({ name: 'c2', pipelines: [{ name: 'p2', source: 'a', target: 'b', tables: ['shop.*'], placement: { split } }] });
    expect((await api.post('/api/v1/channels', pipelines('always'))).status).toBe(400);
    expect((await api.post('/api/v1/channels', pipelines('never'))).status).toBe(201);
    await registerNode(connect, 'lb1', 'dc-b', { address: '127.0.0.1:9401', tls: false });
    await registerNode(connect, 'sa1', 'dc-a');
    expect((await api.post('/api/v1/channels/c2/start')).status).toBe(200);
    expect((await api.post('/api/v1/channels/c1/start')).status).toBe(200);
    await splitWhen(admin, () => true, 'p1 split (auto)');
    const whole = await eventually(async () => (await read<AssignmentRecord>(admin, zkPaths.assignment('p2')))?.value, WAIT_MS, 'p2 placed');
    expect(whole.pipe).toBeUndefined();
    expect(await read(admin, zkPaths.selectAssignment('p2'))).toBeUndefined();
  });
});
