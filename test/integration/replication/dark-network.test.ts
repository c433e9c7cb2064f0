import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { TcpProxy, type ProxyLink } from '../../../services/index.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair, type TestDatabase } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { staysTrue } from '../../support/waits.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/** Generous: the machine is shared; the bounds under test are seconds. */
const WAIT = { timeout: 180_000, interval: 250 };

async function proxyTo(db: TestDatabase): Promise<TcpProxy> {
  const proxy = await TcpProxy.start(db.instance.host, db.instance.port);
  onTestFinished(() => proxy.close());
  return proxy;
}

/** A pipeline file for the pair with `source`/`target` endpoints as given and tight liveness bounds. */
function pipelineFile(pair: ReplicationPair, endpoints: { source: object; target: object }, liveness: object, more: object = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-dark-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'pipeline.json');
  writeFileSync(path, JSON.stringify({ name: pair.schema, tables: [`${pair.schema}.*`], ...endpoints, liveness, ...more }));
  return path;
}

/** The endpoint object of a database reached through `proxy` as `user`. */
function through(proxy: TcpProxy, user: 'app' | 'replication'): object {
  const credentials = inject('services').users[user];
  return { host: '127.0.0.1', port: proxy.port, user: credentials.user, password: credentials.password };
}

function direct(db: TestDatabase, user: 'app' | 'replication'): object {
  const credentials = inject('services').users[user];
  return { host: db.instance.host, port: db.instance.port, user: credentials.user, password: credentials.password };
}

/** Binlog dump threads on the server whose client is one of the proxy's links, by thread id. */
async function dumpThreads(server: Connection, proxy: TcpProxy): Promise<Array<{ id: number; link: ProxyLink }>> {
  const [rows] = await server.query<RowDataPacket[]>("SELECT ID AS id, HOST AS host FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'");
  const links = proxy.list();
  return rows.flatMap((row) => {
    const port = Number(String(row.host).split(':').at(-1));
    const link = links.find((l) => l.upstreamPort === port);
    return link ? [{ id: Number(row.id), link }] : [];
  });
}

/** The new pipeline pinned its start in its checkpoint: what the source writes from now on is replicated. */
async function pipelineStarted(pair: ReplicationPair): Promise<void> {
  const checkpoints = async () => {
    const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [pair.schema]).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
    return Number(rows[0]?.n ?? 0);
  };
  await expect.poll(checkpoints, WAIT).toBeGreaterThan(0);
}

describe('a network path that dies without closing its connections', () => {
  it('source: the silent binlog connection is dropped within the bound and replication resumes from the checkpoint', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const proxy = await proxyTo(pair.source);
    const file = pipelineFile(pair, { source: through(proxy, 'replication'), target: direct(pair.target, 'app') }, { heartbeatMs: 500, sourceSilenceMs: 2_000 });
    const ferry = startFerry(['run', '--config', file, '--progress-seconds', '1']);
    onTestFinished((context) => {
      if (context.task.result?.state === 'fail') console.log(ferry.output().slice(-6000));
    });

    await pipelineStarted(pair);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 21 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    const [before] = await dumpThreads(pair.source.connection, proxy);
    expect(before).toBeDefined();

    proxy.goDark();
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 22 });
    // Ferry itself gives up on the dark binlog connection: it never got a FIN or an RST.
    await expect.poll(() => proxy.list().find((link) => link.id === before!.link.id)?.clientClosedWhileDark, WAIT).toBe(true);

    proxy.resume();
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    // Streaming again on a new dump connection.
    await expect.poll(async () => (await dumpThreads(pair.source.connection, proxy)).some((thread) => thread.id !== before!.id && !thread.link.clientClosed), WAIT).toBe(true);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 23 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    expect(ferry.child.exitCode).toBeNull();
  }, 600_000);

  it('source: reading paused for back-pressure is no silence (no reconnect while a slow target holds the queue full)', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const proxy = await proxyTo(pair.source);
    const file = pipelineFile(pair, { source: through(proxy, 'replication'), target: direct(pair.target, 'app') }, { heartbeatMs: 200, sourceSilenceMs: 1_000 }, { batch: { maxRows: 20 }, queue: { maxRows: 40 }, parallel: 1 });
    const ferry = startFerry(['run', '--config', file, '--progress-seconds', '1']);
    onTestFinished((context) => {
      if (context.task.result?.state === 'fail') console.log(ferry.output().slice(-6000));
    });
    await pipelineStarted(pair);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 41 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    const [before] = await dumpThreads(pair.source.connection, proxy);
    expect(before).toBeDefined();

    // A slow target: the table locked by a session of the test's, so the first batch waits (on
    // a metadata lock: no lock wait timeout ends it early) while the reader fills the queue and
    // pauses, for far longer than the silence bound.
    const { app } = inject('services').users;
    const locker = await mysql.createConnection({ host: pair.target.instance.host, port: pair.target.instance.port, user: app.user, password: app.password });
    onTestFinished(() => locker.end());
    await locker.query(`LOCK TABLES \`${pair.schema}\`.items WRITE`);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 200, seed: 42, keySpace: 300 });
    const waiting = async () => {
      // A replayed batch (docs/replay.md) waits in a BINLOG statement, whose text names no table.
      const [rows] = await pair.target.connection.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock' AND (INFO LIKE ? OR INFO LIKE 'BINLOG %')", [`%${pair.schema}%`]);
      return Number(rows[0]?.n ?? 0);
    };
    await expect.poll(waiting, WAIT).toBeGreaterThan(0);
    await staysTrue(() => Promise.resolve(proxy.list().find((link) => link.id === before!.link.id)?.clientClosed === false), 5_000);
    await locker.query('UNLOCK TABLES');

    // One binlog dump connection served it all.
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    expect((await dumpThreads(pair.source.connection, proxy)).map((thread) => thread.id)).toEqual([before!.id]);
    expect(ferry.child.exitCode).toBeNull();
  }, 600_000);

  it('start: a set-up query sent into a dark path is given up within the bound and the attempt retried', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const proxy = await proxyTo(pair.source);
    // The path dies as the new pipeline asks the source where its binlog ends.
    const question = Buffer.from('\x03SHOW MASTER STATUS', 'latin1');
    proxy.goDarkWhen((chunk) => chunk.includes(question));
    const file = pipelineFile(pair, { source: through(proxy, 'replication'), target: direct(pair.target, 'app') }, { targetStatementMs: 3_000 });
    const ferry = startFerry(['run', '--config', file, '--progress-seconds', '1']);
    onTestFinished((context) => {
      if (context.task.result?.state === 'fail') console.log(ferry.output().slice(-6000));
    });
    await expect.poll(() => proxy.triggeredLink, WAIT).toBeDefined();
    await expect.poll(() => proxy.triggeredLink?.clientClosedWhileDark, WAIT).toBe(true);

    proxy.resume();
    await pipelineStarted(pair);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 51 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    expect(ferry.child.exitCode).toBeNull();
  }, 600_000);

  it('target: a COMMIT sent into a dark path is given up within the bound, the batch retried, and the tables end equal', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const proxy = await proxyTo(pair.target);
    const file = pipelineFile(pair, { source: direct(pair.source, 'replication'), target: through(proxy, 'app') }, { targetStatementMs: 3_000 });
    const ferry = startFerry(['run', '--config', file, '--progress-seconds', '1']);
    onTestFinished((context) => {
      if (context.task.result?.state === 'fail') console.log(ferry.output().slice(-6000));
    });
    await pipelineStarted(pair);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 31 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);

    // COM_QUERY (0x03) 'COMMIT': the path dies as a batch's COMMIT is sent; the target never sees it.
    const commit = Buffer.from('\x03COMMIT', 'latin1');
    proxy.goDarkWhen((chunk) => chunk.includes(commit));
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 32 });
    await expect.poll(() => proxy.triggeredLink, WAIT).toBeDefined();
    // Ferry gives up on the connection whose COMMIT got no answer: it never got a FIN or an RST.
    // (Connections opened while dark end at their connect timeout: they do not count.)
    await expect.poll(() => proxy.triggeredLink?.clientClosedWhileDark, WAIT).toBe(true);

    proxy.resume();
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 40, seed: 33 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT.timeout);
    expect(ferry.child.exitCode).toBeNull();
  }, 600_000);
});
