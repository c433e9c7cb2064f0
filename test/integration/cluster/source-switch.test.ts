import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import { SESSION_MS, startManagerProcess } from '../../support/cluster.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { standbyGroup } from '../../support/standby-group.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { runMixedWorkload } from '../../support/workload.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { apiClient, eventually } from '../manager/manager-support.ts';

/**
 * A DBA's switchover, end to end: the source group's master replicates natively to its
 * standby; Ferry's channel reads the master; the DBA stops writes, lets the standby catch up,
 * promotes it, switches the group through the API, and stops the old master for good. The
 * channel must go on from the standby's binlog by GTID, where it left off, and the target
 * must end equal to the new master. Real processes throughout: ZooKeeper, a manager, a node,
 * three MariaDB servers.
 */
describe('cluster: master/standby switch of a source group', () => {
  it('moves a running channel to the promoted standby by GTID, losing nothing, after the old master is gone', async () => {
    const { master, standby, masterDb, standbyDb, target, schema, caughtUp } = await standbyGroup('sw');
    const { users } = inject('services');
    await caughtUp();

    const zk = await zkChroot();
    const cacheDir = await mkdtemp(join(tmpdir(), 'ferry-switch-node-'));
    onTestFinished(() => rm(cacheDir, { recursive: true, force: true }));
    const manager = await startManagerProcess(zk, 'm1');
    const api = apiClient(manager.url);
    const token = await api.post<{ token: string }>('/api/v1/tokens', { name: 'n1', role: 'node', node: 'n1' });
    const node = startFerry(['node', '--zk', zk, '--id', 'n1', '--dc', 'dc1', '--cache-dir', cacheDir, '--session-timeout-ms', String(SESSION_MS), '--stats-seconds', '1'], { FERRY_NODE_TOKEN: token.body.token });
    await eventually(() => (node.output().includes('registered') ? true : undefined), 30_000, 'the node to register');

    const endpoint = (db: typeof master) => ({ host: db.instance.host, port: db.instance.port });
    expect((await api.post('/api/v1/datasources', { groupKey: 'shop', dc: 'dc1', master: endpoint(master), standby: endpoint(standby), ...users.replication })).status).toBe(201);
    expect((await api.post('/api/v1/datasources', { groupKey: 'dst', dc: 'dc1', master: { host: target.instance.host, port: target.instance.port }, ...users.app })).status).toBe(201);
    expect((await api.post('/api/v1/channels', { name: 'orders', pipelines: [{ name: schema, source: 'shop', target: 'dst', tables: [`${schema}.*`], batch: { maxRows: 50 } }] })).status).toBe(201);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const pipelineOf = async () => (await api.get<ChannelView>('/api/v1/channels/orders')).body.pipelines[0]!;
    await eventually(async () => ((await pipelineOf()).state === 'running' ? true : undefined), 60_000, 'the pipeline to run');

    // Writes on the master, replicated by Ferry to the target and natively to the standby.
    await runMixedWorkload(masterDb, schema, { transactions: 150, seed: 11 });
    await expectTablesConverge(masterDb, target.connection, schema, 'items');

    // The switchover: writes stop, the standby catches up and is promoted, the group switches,
    // and the old master goes away, so any read from it after the switch would fail.
    await caughtUp();
    await standbyDb.query('STOP SLAVE');
    // Not forced: the node of dc1 measures the standby caught up before the switch is taken.
    await eventually(async () => ((await api.get<{ ready: boolean }>('/api/v1/datasources/shop/switch-readiness?to=standby')).body.ready ? true : undefined), 120_000, 'the standby to be measured ready');
    const switched = await api.post<{ active: string }>('/api/v1/datasources/shop/switch', { to: 'standby', reason: 'planned switchover' });
    expect(switched.status).toBe(200);
    expect(switched.body.active).toBe('standby');
    await master.stop();

    // The application writes on the new master: inserts, updates and deletes of old rows too.
    await runMixedWorkload(standbyDb, schema, { transactions: 150, seed: 12 });
    await expectTablesConverge(standbyDb, target.connection, schema, 'items');

    // The checkpoint went on in one GTID history: the old master's domain and the new one's.
    const [[domains]] = await standbyDb.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_domain_id AS standby, @@GLOBAL.gtid_binlog_pos AS position');
    const [[checkpoint]] = await target.connection.query<RowDataPacket[]>('SELECT gtid_set FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1', [schema]);
    const checkpointDomains = String(checkpoint!.gtid_set).split(',').map((gtid) => Number(gtid.split('-')[0]));
    expect(checkpointDomains).toContain(Number(domains!.standby));
    expect(checkpointDomains.length).toBe(2);
    expect(node.child.exitCode).toBeNull();
  });
});
