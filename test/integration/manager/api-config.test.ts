import { describe, expect, it } from 'vitest';
import type { DataSourceView } from '../../../shared/cluster/model.ts';
import { ConfigStore } from '../../../shared/cluster/config-store.ts';
import { resolveClusterPipeline } from '../../../shared/cluster/resolve-cluster-pipeline.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import type { ChannelView } from '../../../manager/index.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { apiClient, channel, dataSource, testManager, type ErrorBody } from './manager-support.ts';

/** The configuration API end to end, over real HTTP, on a manager in this process and a real ZooKeeper. */

async function setup() {
  const zk = await zkChroot();
  const manager = await testManager(zk);
  return { zk, manager, api: apiClient(manager.url) };
}

const problemPaths = (body: ErrorBody) => (body.details.errors ?? []).map((e) => e.path);

describe('manager API: data sources', () => {
  it('creates, lists, reads (never the password), replaces with If-Match, switches and deletes', async () => {
    const { api } = await setup();
    const created = await api.post<DataSourceView>('/api/v1/datasources', dataSource('src', 3306, { standby: { host: '127.0.0.2', port: 3306 } }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ groupKey: 'src', dc: 'dc1', master: { host: '127.0.0.1', port: 3306 }, standby: { host: '127.0.0.2', port: 3306 }, active: 'master', user: 'ferry', hasPassword: true, version: 0, health: null });
    expect(JSON.stringify(created.body)).not.toContain('secret-pw');

    expect((await api.post('/api/v1/datasources', dataSource('src', 3306))).body.code).toBe('FERRY_ERR_API_CONFLICT');
    const list = await api.get<DataSourceView[]>('/api/v1/datasources');
    expect(list.body.map((d) => d.groupKey)).toEqual(['src']);
    const read = await api.get<DataSourceView>('/api/v1/datasources/src');
    expect(read.headers.get('etag')).toBe('"0"');
    expect(JSON.stringify(read.body)).not.toContain('password"');

    // PUT without password keeps it; a stale If-Match is a 409 that names the current version.
    const { password: _password, ...withoutPassword } = dataSource('src', 3307, { standby: { host: '127.0.0.2', port: 3306 } });
    const replaced = await api.put<DataSourceView>('/api/v1/datasources/src', withoutPassword, { 'if-match': '0' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ master: { port: 3307 }, hasPassword: true, version: 1 });
    const stale = await api.put('/api/v1/datasources/src', withoutPassword, { 'if-match': '"0"' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'FERRY_ERR_API_CONFLICT', details: { version: 1 } });
    expect((await api.put('/api/v1/datasources/src?version=0', withoutPassword)).status).toBe(409);

    const switched = await api.post<DataSourceView>('/api/v1/datasources/src/switch', { to: 'standby', force: true, reason: 'no node measures these servers' });
    expect(switched.body).toMatchObject({ active: 'standby', version: 2 });
    await api.post('/api/v1/datasources', dataSource('solo', 3310));
    const noStandby = await api.post('/api/v1/datasources/solo/switch', { to: 'standby' });
    expect(noStandby.status).toBe(400);
    expect(problemPaths(noStandby.body)).toEqual(['/to']);

    expect((await api.del('/api/v1/datasources/src', { 'if-match': '1' })).status).toBe(409);
    expect((await api.del('/api/v1/datasources/src')).status).toBe(204);
    expect((await api.get('/api/v1/datasources/src')).body).toMatchObject({ code: 'FERRY_ERR_API_NOT_FOUND', details: { what: 'data source', name: 'src' } });
  });

  it('refuses bad bodies with 400 listing every problem, never a 500', async () => {
    const { api } = await setup();
    const bad = await api.post('/api/v1/datasources', { groupKey: 'x', dc: 'dc1', master: { host: '127.0.0.1', prot: 1 }, user: 'u', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('FERRY_ERR_API_BAD_REQUEST');
    expect(problemPaths(bad.body)).toEqual(['/colour', '/master/prot']);
    expect(bad.body.details.errors?.[0]?.message).toMatch(/unknown field 'colour'/);

    const missing = await api.post('/api/v1/datasources', { groupKey: 'bad name!', master: { host: '' } });
    expect(problemPaths(missing.body)).toEqual(['/dc', '/groupKey', '/master/host', '/user']);

    const malformed = await api.post('/api/v1/datasources', '{"groupKey": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('FERRY_ERR_API_BAD_REQUEST');
    // An empty JSON body (curl with a JSON content type and no -d) is no body: a required body is still missing.
    const empty = await api.call('POST', '/api/v1/datasources', '', { 'content-type': 'application/json' });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('FERRY_ERR_API_BAD_REQUEST');
    const wrongType = await api.call('POST', '/api/v1/datasources', 'groupKey=x', { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(400);
    const badHost = await api.post('/api/v1/datasources', dataSource('x', 3306, { master: { host: 'db1:3306', port: 3306 }, active: 'standby' }));
    expect(problemPaths(badHost.body)).toEqual(['/active', '/master/host']);
    expect((await api.get('/api/v1/datasources/not%20a%20name')).status).toBe(400);
  });
});

describe('manager API: channels', () => {
  it('validates a channel against the cluster and lists every problem', async () => {
    const { api } = await setup();
    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    await api.post('/api/v1/datasources', dataSource('a-alias', 3306));
    expect((await api.post('/api/v1/channels', channel('one', [{ name: 'p1', source: 'a', target: 'b' }]))).status).toBe(201);

    const bad = await api.post('/api/v1/channels', {
      name: 'two',
      pipelines: [
        { name: 'p1', source: 'nope', target: 'b', tables: ['shop.*'] },
        { name: 'p2', source: 'a', target: 'a-alias', tables: ['shop.*', { source: 'x.*', target: 'y.t' }] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.errors).toEqual([
      { path: '/pipelines/0/name', message: expect.stringMatching(/already used by channel 'one'/) as string },
      { path: '/pipelines/0/source', message: "unknown data source 'nope'" },
      { path: '/pipelines/1/tables/1/target', message: expect.stringMatching(/must be \*/) as string },
      { path: '/pipelines/1/target', message: expect.stringMatching(/same database server/) as string },
    ]);

    const same = await api.post('/api/v1/channels', channel('three', [{ name: 'q', source: 'a', target: 'a' }, { name: 'q', source: 'b', target: 'zz' }]));
    expect(problemPaths(same.body)).toEqual(['/pipelines/0/target', '/pipelines/1/name', '/pipelines/1/target']);
    const schema = await api.post('/api/v1/channels', { name: 'four', pipelines: [{ name: 'r', source: 'a', tables: [{ sorce: 'x.y' }], parallel: 0 }] });
    expect(problemPaths(schema.body)).toEqual(['/pipelines/0/parallel', '/pipelines/0/tables/0/sorce', '/pipelines/0/tables/0/source', '/pipelines/0/target']);
    expect(schema.body.details.errors?.[1]?.message).toMatch(/^unknown field 'sorce'/);
  });

  it('takes every pipeline file field a node runs, and resolves each for the node', async () => {
    const { api, zk } = await setup();
    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    const fields = {
      from: 'mysql-bin.000003:4', serverId: 3_100_001, batch: { maxRows: 500, maxBytes: 65_536 }, parallel: 2,
      queue: { maxRows: 5000, maxBytes: 1_048_576 }, ddl: 'apply', errorPolicy: 'skip', skipPrechecks: ['binlog_retention'],
      systemSchema: '_ferry_ops', retry: { initialDelayMs: 200, maxDelayMs: 5000 }, description: 'orders',
    };
    const created = await api.post<ChannelView>('/api/v1/channels', { name: 'c', pipelines: [{ name: 'p', source: 'a', target: 'b', tables: ['shop.*'], ...fields }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.pipelines[0]).toMatchObject(fields);

    const client = await zkClient(zk);
    const resolved = resolveClusterPipeline(await (await ConfigStore.open(client)).snapshot(), 'p', 3);
    expect(resolved).toMatchObject({
      from: { kind: 'file', file: 'mysql-bin.000003', pos: 4 }, serverId: 3_100_001, batch: { maxRows: 500, maxDelayMs: 20, maxBytes: 65_536 },
      parallel: 2, queue: fields.queue, ddl: 'apply', errorPolicy: 'skip', skipPrechecks: ['binlog_retention'], systemSchema: '_ferry_ops', retry: fields.retry,
    });
    // The same bounds as the pipeline file.
    const bad = await api.post('/api/v1/channels', { name: 'd', pipelines: [{ name: 'q', source: 'a', target: 'b', tables: ['shop.*'], from: 'x', batch: { maxBytes: 10 }, retry: { initialDelayMs: 0 } }] });
    expect(problemPaths(bad.body)).toEqual(['/pipelines/0/batch/maxBytes', '/pipelines/0/retry/initialDelayMs']);
  });

  it('refuses table rules outside the rule grammar, naming each rule, with the other problems', async () => {
    const { api } = await setup();
    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    const tables = ['shop.t; DROP TABLE x', '`shop`.t', "shop.'t'", 'shop.t|u', 'shop.(a)', 'shop.t[0-9]', 'sh op.t', { source: 'shop.x', target: 'copy.`x`' }, 'shop-eu.order_*', 'shard_?.t$1'];
    const bad = await api.post('/api/v1/channels', { name: 'c', pipelines: [{ name: 'p', source: 'a', target: 'nope', tables }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('FERRY_ERR_API_BAD_REQUEST');
    expect(problemPaths(bad.body)).toEqual([...[0, 1, 2, 3, 4, 5, 6].map((i) => `/pipelines/0/tables/${i}`), '/pipelines/0/tables/7/target', '/pipelines/0/target']);
    expect(bad.body.details.errors?.[0]?.message).toMatch(/holds ";"; a schema or table name in a rule holds only letters, digits/);
    expect((await api.post('/api/v1/channels', { name: 'c', pipelines: [{ name: 'p', source: 'a', target: 'b', tables: tables.slice(8) }] })).status).toBe(201);
  });

  it('runs the permit through start, pause and stop; edits only when not running; deletes only when stopped', async () => {
    const { api, zk } = await setup();
    const client = await zkClient(zk);
    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    const created = await api.post<ChannelView>('/api/v1/channels', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }], { description: 'orders' }));
    expect(created.body).toMatchObject({ name: 'c1', description: 'orders', status: 'STOP', version: 0, pipelines: [{ name: 'p1', node: null, epoch: null, position: null, lagMs: null }] });
    expect(JSON.parse((await client.getData(zkPaths.permit('c1'))).data.toString())).toMatchObject({ status: 'STOP', by: 'api:admin' });

    expect((await api.post<ChannelView>('/api/v1/channels/c1/start')).body.status).toBe('START');
    expect((await api.del('/api/v1/datasources/a')).body).toMatchObject({ code: 'FERRY_ERR_DATASOURCE_IN_USE', details: { pipelines: 'p1' } });
    const running = await api.put('/api/v1/channels/c1', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }]));
    expect(running.status).toBe(409);
    expect((await api.del('/api/v1/channels/c1')).status).toBe(409);

    expect((await api.post<ChannelView>('/api/v1/channels/c1/pause')).body.status).toBe('PAUSE');
    const edited = await api.put<ChannelView>('/api/v1/channels/c1', channel('c1', [{ name: 'p1', source: 'b', target: 'a' }]), { 'if-match': '0' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ version: 1, status: 'PAUSE', pipelines: [{ source: 'b', target: 'a' }] });
    expect((await api.put('/api/v1/channels/c1', channel('other', [{ name: 'p1', source: 'b', target: 'a' }]))).status).toBe(400);

    expect((await api.post<ChannelView>('/api/v1/channels/c1/stop')).body.status).toBe('STOP');
    expect((await api.get<ChannelView[]>('/api/v1/channels')).body.map((c) => [c.name, c.status])).toEqual([['c1', 'STOP']]);
    expect((await api.del('/api/v1/channels/c1')).status).toBe(204);
    expect(await client.exists(zkPaths.permit('c1'))).toBeNull();
    expect((await api.get('/api/v1/channels/c1')).status).toBe(404);
    expect((await api.post('/api/v1/channels/c1/start')).status).toBe(404);
    expect((await api.del('/api/v1/datasources/a')).status).toBe(204);
  });

  it('shows the stats nodes report, ignoring unknown pipelines and epochs other than the assignment\'s', async () => {
    const { zk, api } = await setup();
    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    await api.post('/api/v1/channels', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }]));
    // PAUSE keeps the assignment the test writes (STOP would have the leader remove it).
    expect((await api.post('/api/v1/channels/c1/pause')).status).toBe(200);
    const client = await zkClient(zk);
    await client.create(zkPaths.assignment('p1'), JSON.stringify({ pipeline: 'p1', channel: 'c1', node: 'n1', epoch: 3, state: 'acked', at: new Date().toISOString() }));
    const stat = (epoch: number, position: string, pipeline = 'p1') => ({ pipeline, node: 'n1', epoch, state: 'running', position, lagMs: 12, rowsPerSecond: 500, at: new Date().toISOString() });
    expect((await api.post('/api/v1/internal/stats', { node: 'n1', stats: [stat(3, '0-1-100'), stat(1, 'x', 'ghost')] })).status).toBe(204);
    expect((await api.post('/api/v1/internal/stats', { node: 'n1', stats: [stat(2, '0-1-50')] })).status).toBe(204);
    const view = await api.get<ChannelView>('/api/v1/channels/c1');
    // The channel is paused: a node's 'running' is shown as what the DBA asked for.
    expect(view.body.pipelines[0]).toMatchObject({ position: '0-1-100', lagMs: 12, rowsPerSecond: 500, state: 'paused' });
    const bad = await api.post('/api/v1/internal/stats', { node: 'n1', stats: [{ ...stat(4, 'y'), node: 'n2' }] });
    expect(problemPaths(bad.body)).toEqual(['/stats/0/node']);
  });
});
