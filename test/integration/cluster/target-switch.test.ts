import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import { SESSION_MS, startManagerProcess } from '../../support/cluster.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { testDatabase } from '../../support/mariadb.ts';
import { scratchMariaDbs, type ScratchMariaDb } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { apiClient, eventually } from '../manager/manager-support.ts';

const SWITCHES = 3;

/**
 * A DBA's switchover of a TARGET group, repeated under a steady write load on the source:
 * the target servers form a native replication chain (each replicates the one before it), so
 * each switch promotes the next server, points the group at it and stops the old one at once.
 * The node usually sees the old master go before it sees the switch: its batch fails, it
 * raises ROLLBACK, starts the pipeline on the new master as the switch arrives, and that
 * runner is aborted by the ROLLBACK while it starts; RESTART follows. A runner that never
 * ended there (test/unit/select/binlog-reader-stop.test.ts forces that race) left the epoch
 * the RESTART placed pending forever. Either way the channel must end acked, progressing,
 * and equal to the source.
 */
describe('cluster: master/standby switch of a target group', () => {
  it('keeps the channel running through repeated target switchovers under load', async () => {
    const servers = await scratchMariaDbs(SWITCHES + 1);
    const dbs = await Promise.all(servers.map((server) => server.connect()));
    const source = await testDatabase('db1');
    const schema = `tsw_${Date.now().toString(36)}`;
    const { users } = inject('services');
    const endpoint = (server: ScratchMariaDb) => ({ host: server.instance.host, port: server.instance.port });

    await source.connection.query(`CREATE DATABASE \`${schema}\`; USE \`${schema}\`; ${ITEMS_TABLE}`);
    await dbs[0]!.query(`CREATE DATABASE \`${schema}\`; USE \`${schema}\`; ${ITEMS_TABLE}`);
    onTestFinished(() => source.connection.query(`DROP DATABASE IF EXISTS \`${schema}\``).then(() => undefined, () => undefined));
    // The chain: server i+1 replicates server i (log_slave_updates passes everything down).
    for (let i = 1; i < servers.length; i++) {
      await dbs[i]!.query('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos', [servers[i - 1]!.instance.host, servers[i - 1]!.instance.port, users.replication.user, users.replication.password]);
      await dbs[i]!.query('START SLAVE');
    }
    const caughtUp = async (from: Connection, to: Connection) => {
      const [[position]] = await from.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
      const [[waited]] = await to.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 60) AS result', [position!.gtid]);
      expect(waited!.result).toBe(0);
    };

    const zk = await zkChroot();
    const cacheDir = await mkdtemp(join(tmpdir(), 'ferry-tswitch-node-'));
    onTestFinished(() => rm(cacheDir, { recursive: true, force: true }));
    const manager = await startManagerProcess(zk, 'm1');
    const api = apiClient(manager.url);
    const token = await api.post<{ token: string }>('/api/v1/tokens', { name: 'n1', role: 'node', node: 'n1' });
    const node = startFerry(['node', '--zk', zk, '--id', 'n1', '--dc', 'dc1', '--cache-dir', cacheDir, '--session-timeout-ms', String(SESSION_MS), '--stats-seconds', '1'], { FERRY_NODE_TOKEN: token.body.token });
    onTestFinished(async (context) => {
      if (context.task.result?.state !== 'fail') return;
      const view = await api.get('/api/v1/channels/orders').catch((e: unknown) => String(e));
      const [dumps] = await source.connection.query<RowDataPacket[]>("SELECT ID, COMMAND, TIME, STATE FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog%'").catch(() => [[]]);
      await writeFile(join(tmpdir(), `ferry-target-switch-${schema}.log`), `${node.output()}\nVIEW ${JSON.stringify(view)}\nDUMPS ${JSON.stringify(dumps)}\n`);
    });
    await eventually(() => (node.output().includes('registered') ? true : undefined), 30_000, 'the node to register');

    expect((await api.post('/api/v1/datasources', { groupKey: 'src', dc: 'dc1', master: { host: source.instance.host, port: source.instance.port }, ...users.replication })).status).toBe(201);
    expect((await api.post('/api/v1/datasources', { groupKey: 'dst', dc: 'dc1', master: endpoint(servers[0]!), standby: endpoint(servers[1]!), ...users.app })).status).toBe(201);
    expect((await api.post('/api/v1/channels', { name: 'orders', pipelines: [{ name: schema, source: 'src', target: 'dst', tables: [`${schema}.*`], batch: { maxRows: 20 } }] })).status).toBe(201);
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const pipelineOf = async () => (await api.get<ChannelView>('/api/v1/channels/orders')).body.pipelines[0]!;
    await eventually(async () => ((await pipelineOf()).state === 'running' ? true : undefined), 60_000, 'the pipeline to run');

    // A steady load on the source for the whole test.
    let loading = true;
    const load = (async () => {
      for (let seed = 100; loading; seed++) await runMixedWorkload(source.connection, schema, { transactions: 10, seed });
    })();
    onTestFinished(async () => {
      loading = false;
      await load.catch(() => undefined);
    });

    for (let k = 1; k <= SWITCHES; k++) {
      const [old, next] = [dbs[k - 1]!, dbs[k]!];
      // Ferry has written to the old master under load for a while.
      const lastSeq = async () => Number((await old.query<RowDataPacket[]>('SELECT COALESCE(MAX(seq), 0) AS seq FROM _ferry.checkpoints WHERE pipeline = ?', [schema]))[0][0]!.seq);
      const before = await lastSeq();
      await eventually(async () => ((await lastSeq()) > before + 3 ? true : undefined), 120_000, `batches on target server ${k - 1}`);
      // The switchover: the standby catches up and is promoted, the group switches to it,
      // the old master goes away at once.
      await caughtUp(old, next);
      await next.query('STOP SLAVE');
      const to = k % 2 === 1 ? 'standby' : 'master';
      // Forced: Ferry keeps writing to the old master under load, so the standby is never
      // measured caught up; the target's fence keeps the switch safe.
      const switched = await api.post<{ active: string }>('/api/v1/datasources/dst/switch', { to, force: true, reason: 'target switchover under load' });
      expect(switched.status).toBe(200);
      await servers[k - 1]!.stop();
      // The next server in the chain becomes the group's other side (the active one is kept).
      if (k < SWITCHES) {
        const other = endpoint(servers[k + 1]!);
        const sides = to === 'standby' ? { master: other, standby: endpoint(servers[k]!) } : { master: endpoint(servers[k]!), standby: other };
        expect((await api.put('/api/v1/datasources/dst', { groupKey: 'dst', dc: 'dc1', ...sides, user: users.app.user })).status).toBe(200);
      }
    }

    loading = false;
    await load;
    const last = dbs[SWITCHES]!;
    await expectTablesConverge(source.connection, last, schema, 'items', schema, 180_000);
    // Acked and progressing: the node runs the current assignment and applies new writes.
    await eventually(async () => {
      const pipeline = await pipelineOf();
      // The leader turns an ack into 'done' once it saw it.
      return (pipeline.assignment === 'acked' || pipeline.assignment === 'done') && pipeline.state === 'running' ? true : undefined;
    }, 180_000, 'the pipeline to be acked and running');
    await runMixedWorkload(source.connection, schema, { transactions: 30, seed: 99 });
    await expectTablesConverge(source.connection, last, schema, 'items', schema, 180_000);
    expect(node.child.exitCode).toBeNull();
  }, 900_000);
});
