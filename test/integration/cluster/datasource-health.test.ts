import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { HealthView } from '../../../manager/health-view.ts';
import type { ChannelHistoryView } from '../../../manager/api/routes/stats-history.ts';
import { appendHistory, HISTORY_LIMITS, readHistory } from '../../../manager/stats-history.ts';
import type { SwitchReadiness } from '../../../manager/switch-readiness.ts';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import type { PipelineStatsRecord } from '../../../shared/cluster/model.ts';
import { ZK_PARENTS, zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { SESSION_MS, startManagerProcess, testCluster } from '../../support/cluster.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { unusedPort } from '../../support/waits.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { apiClient, eventually, type ErrorBody } from '../manager/manager-support.ts';

type DataSourceWithHealth = { groupKey: string; active: string; health: HealthView | null };

/**
 * The data source health a node measures and the switch readiness built on it, with real
 * processes: ZooKeeper, a manager, a node in dc1, and a master whose standby replicates
 * natively. Positions are checked against what the servers themselves report.
 */
describe('cluster: data source health and switch readiness', () => {
  it('reports positions and distance, refuses a standby behind without force, records who and why', async () => {
    const [master, standby] = await scratchMariaDbs(2);
    const masterDb = await master!.connect();
    const standbyDb = await standby!.connect();
    const { users } = inject('services');
    const schema = `hl_${Date.now().toString(36)}`;
    await standbyDb.query('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos', [master!.instance.host, master!.instance.port, users.replication.user, users.replication.password]);
    await standbyDb.query('START SLAVE');
    await masterDb.query(`CREATE DATABASE \`${schema}\`; USE \`${schema}\`; ${ITEMS_TABLE}`);
    await runMixedWorkload(masterDb, schema, { transactions: 30, seed: 21 });
    const positionOf = async (db: typeof masterDb) => String((await db.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_current_pos AS pos'))[0][0]!.pos);
    const [[binlog]] = await masterDb.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
    expect((await standbyDb.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 60) AS result', [binlog!.gtid]))[0][0]!.result).toBe(0);

    const zk = await zkChroot();
    const cacheDir = await mkdtemp(join(tmpdir(), 'ferry-health-node-'));
    onTestFinished(() => rm(cacheDir, { recursive: true, force: true }));
    const manager = await startManagerProcess(zk, 'm1');
    const api = apiClient(manager.url);
    const nodeToken = await api.post<{ token: string }>('/api/v1/tokens', { name: 'n1', role: 'node', node: 'n1' });
    const node = startFerry(['node', '--zk', zk, '--id', 'n1', '--dc', 'dc1', '--cache-dir', cacheDir, '--session-timeout-ms', String(SESSION_MS)], { FERRY_NODE_TOKEN: nodeToken.body.token });
    await eventually(() => (node.output().includes('registered') ? true : undefined), 30_000, 'the node to register');
    const operator = await api.post<{ token: string }>('/api/v1/tokens', { name: 'dba-ann', role: 'operator' });
    const dba = apiClient(manager.url, operator.body.token);

    const endpoint = (db: typeof master) => ({ host: db!.instance.host, port: db!.instance.port });
    // The app user may also read the replica status (SHOW SLAVE STATUS needs SLAVE MONITOR).
    expect((await api.post('/api/v1/datasources', { groupKey: 'shop', dc: 'dc1', master: endpoint(master), standby: endpoint(standby), ...users.app })).status).toBe(201);
    expect((await api.post('/api/v1/datasources', { groupKey: 'ghost', dc: 'dc1', master: { host: '127.0.0.1', port: await unusedPort() }, ...users.app })).status).toBe(201);
    expect((await api.post('/api/v1/datasources', { groupKey: 'far', dc: 'dc2', master: endpoint(master), ...users.app })).status).toBe(201);

    const healthOf = async (groupKey: string) => (await dba.get<DataSourceWithHealth>(`/api/v1/datasources/${groupKey}`)).body.health;
    // Caught up: each member's position is the one the server reports, and nothing is behind.
    const masterPos = await positionOf(masterDb);
    const standbyPos = await positionOf(standbyDb);
    const caughtUp = await eventually(async () => {
      const health = await healthOf('shop');
      return health?.master.gtidPosition === masterPos && health.standby?.gtidPosition === standbyPos ? health : undefined;
    }, 120_000, 'the health of both members at their current positions');
    expect(caughtUp).toMatchObject({ measuredBy: 'n1', dc: 'dc1', stale: false, active: 'master', behind: { transactions: 0 } });
    expect(caughtUp.master).toMatchObject({ reachable: true, flavor: 'MariaDB', readOnly: false, replica: null, gtidBinlogPos: String(binlog!.gtid) });
    expect(caughtUp.standby).toMatchObject({ reachable: true, replica: { ioRunning: true, sqlRunning: true, masterPort: master!.instance.port } });
    expect((await dba.get<SwitchReadiness>('/api/v1/datasources/shop/switch-readiness?to=standby')).body).toMatchObject({ ready: true, caughtUp: true, reachable: true });

    // The list carries health too; an unreachable member is reported, not fatal; no node in dc2 measures 'far'.
    const ghost = await eventually(async () => (await healthOf('ghost')) ?? undefined, 120_000, 'the health of an unreachable data source');
    expect(ghost.master).toMatchObject({ reachable: false, gtidPosition: null, error: { code: 'FERRY_ERR_DATASOURCE_UNREACHABLE' } });
    const listed = (await dba.get<DataSourceWithHealth[]>('/api/v1/datasources')).body;
    expect(listed.map((d) => [d.groupKey, d.health === null])).toEqual([['far', true], ['ghost', false], ['shop', false]]);

    // The standby stops replicating and the master takes 5 more transactions: 5 behind.
    await standbyDb.query('STOP SLAVE');
    for (let i = 0; i < 5; i++) await masterDb.query(`INSERT INTO \`${schema}\`.items (id, name, qty, updated) VALUES (?, 'late', 1, NOW(6))`, [100_000 + i]);
    const laterPos = await positionOf(masterDb);
    const behind = await eventually(async () => {
      const health = await healthOf('shop');
      return health?.master.gtidPosition === laterPos && health.standby?.replica?.ioRunning === false ? health : undefined;
    }, 120_000, 'the health to show the standby behind');
    expect(behind.behind).toMatchObject({ transactions: 5 });
    const readiness = (await dba.get<SwitchReadiness>('/api/v1/datasources/shop/switch-readiness')).body;
    expect(readiness).toMatchObject({ to: 'standby', ready: false, caughtUp: false, behind: { transactions: 5 } });
    expect(readiness.problems.join()).toContain('5 transaction(s) behind');

    const refused = await dba.post<ErrorBody>('/api/v1/datasources/shop/switch', { to: 'standby', reason: 'should not pass' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'FERRY_ERR_SWITCH_NOT_READY', details: { groupKey: 'shop', to: 'standby', readiness: { behind: { transactions: 5 } } } });
    expect((await dba.get<DataSourceWithHealth>('/api/v1/datasources/shop')).body.active).toBe('master');

    const forced = await dba.post<DataSourceWithHealth>('/api/v1/datasources/shop/switch', { to: 'standby', force: true, reason: 'drill: master declared lost' });
    expect(forced.status).toBe(200);
    expect(forced.body.active).toBe('standby');
    const events = (await dba.get<EventRecord[]>('/api/v1/events?type=DATASOURCE_SWITCH')).body;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ by: 'api:dba-ann', reason: 'drill: master declared lost', details: { groupKey: 'shop', from: 'master', to: 'standby', force: true, ready: false, behind: 5 } });
    expect(node.child.exitCode).toBeNull();
  });

  it('keeps a growing history of a running pipeline\'s figures, read back through the API', async () => {
    const cluster = await testCluster({ nodes: ['n1'] });
    const { pair, api } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn();
    let writing = true;
    const load = (async () => {
      for (let seed = 1; writing; seed++) await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 20, seed });
    })();
    onTestFinished(async () => {
      writing = false;
      await load.catch(() => undefined);
    });
    const history = await eventually(async () => {
      const body = (await api.get<ChannelHistoryView>('/api/v1/channels/orders/stats/history')).body;
      const mine = body.pipelines[0]!;
      return mine.at.length >= 4 && mine.rowsPerSecond.some((r) => r > 0) ? body : undefined;
    }, 180_000, 'four samples of history with rows moving');
    const { at, lagMs, rowsPerSecond, name } = history.pipelines[0]!;
    expect(name).toBe(pair.schema);
    expect(lagMs).toHaveLength(at.length);
    expect(rowsPerSecond).toHaveLength(at.length);
    // One sample per 5 s at most, oldest first, whichever of the two managers took the report.
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(HISTORY_LIMITS.spacingMs);
    writing = false;
    await load;
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    // A reload later sees at least what it saw: the history lives in ZooKeeper, not in a manager.
    const again = (await cluster.managers[1]!.api.get<ChannelHistoryView>('/api/v1/channels/orders/stats/history')).body.pipelines[0]!;
    expect(again.at.slice(0, at.length)).toEqual(at);
  });

  it('bounds the history in ZooKeeper by its window and its byte cap', async () => {
    const zk = await zkClient(await zkChroot());
    for (const parent of ZK_PARENTS) await zk.mkdirp(parent);
    const t0 = Date.parse('2026-12-07T10:00:00Z');
    const report = (i: number): PipelineStatsRecord => ({ pipeline: 'p1', node: 'n1', epoch: 1, state: 'running', position: null, lagMs: i, rowsPerSecond: i * 1.5, at: new Date(t0 + i * 5_000).toISOString() });
    for (let i = 0; i < 500; i++) await appendHistory(zk, [report(i)]);
    const kept = (await readHistory(zk, 'p1'))!;
    expect(kept.samples).toHaveLength(361);
    expect(kept.samples[0]![0]).toBe(t0 + 499 * 5_000 - HISTORY_LIMITS.windowMs);
    expect(Buffer.byteLength((await zk.getData(zkPaths.pipelineHistory('p1'))).data)).toBeLessThanOrEqual(HISTORY_LIMITS.maxBytes);
  });
});
