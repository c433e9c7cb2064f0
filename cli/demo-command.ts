import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultStateDir, findFreeBase, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { DEMO_SCHEMA, DEMO_TABLES } from './demo/demo-schema.ts';
import { runDemoLoad } from './demo/demo-load.ts';
import { startDemoCluster, type DemoCluster } from './demo/demo-cluster.ts';
import { parseCommandArgs, positiveInt, type Command } from './command.ts';

const usage = `Usage: bin/ferry demo [--seconds N] [--rate N] [--keep]

Starts a local Ferry cluster of real processes under .ferry/demo: ZooKeeper, a source and a
target MariaDB, two managers and a node. Through the REST API it registers both databases
as data sources, creates the channel 'shop' and starts it; then a steady write load runs on
the source while a status line every 3 s shows what the API reports. Ctrl-C ends it: the
load stops, Ferry catches up, and every table is compared on both sides.

  --seconds N   run for N seconds, then stop and compare (default: until Ctrl-C)
  --rate N      source transactions per second (default 50)
  --keep        leave the servers running afterwards (stop: bin/ferry services down --state-dir .ferry/demo)
`;

async function connect(db: MariaDbInstance, state: ServicesState): Promise<Connection> {
  return mysql.createConnection({ host: db.host, port: db.port, user: state.users.app.user, password: state.users.app.password, multipleStatements: true });
}

async function tableSummary(connection: Connection, table: string): Promise<string> {
  const [count] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${DEMO_SCHEMA}.${table}`);
  const [sum] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE ${DEMO_SCHEMA}.${table}`);
  return `${String(count[0]?.n)} rows, checksum ${String(sum[0]?.Checksum)}`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'a local cluster (ZooKeeper, two MariaDB, two managers, a node) replicating a live shop database',
  usage,
  async run(argv, { log, out }) {
    const { values } = parseCommandArgs(argv, { seconds: { type: 'string' }, rate: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      out(usage);
      return 0;
    }
    const seconds = values.seconds === undefined ? undefined : positiveInt(values.seconds, '--seconds', 60);
    const rate = positiveInt(values.rate, '--rate', 50);
    const stateDir = join(defaultStateDir(), '..', 'demo');
    await servicesDown(stateDir, log, { purge: true });
    const base = await findFreeBase([0, 100, 200, 1000, 1001]);
    out('Starting ZooKeeper and two MariaDB servers on 127.0.0.1 ...');
    const state = await servicesUp({ stateDir, zkServers: 1, zkPort: base, mariadb: 2, mariadbPort: base + 1000 }, log);
    const [sourceDb, targetDb] = state.mariadb as [MariaDbInstance, MariaDbInstance];
    const source = await connect(sourceDb, state);
    const target = await connect(targetDb, state);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let cluster: DemoCluster | undefined;
    try {
      for (const connection of [source, target]) {
        await connection.query(`CREATE DATABASE ${DEMO_SCHEMA}; USE ${DEMO_SCHEMA}; ${DEMO_TABLES.join(';\n')}`);
      }
      out('Starting two managers and a node (logs in .ferry/demo/logs) ...');
      cluster = await startDemoCluster(state, stateDir);
      await waitUntilRunning(cluster, stop.signal);
      const [first, second] = cluster.managers;
      out(`\nThe API is at ${cluster.api.baseUrl}/api/v1 (and on the second manager, ${(await second!.waitForLine(/listening on (\S+)/))[1]}/api/v1). Try:`);
      out(`  curl -s -H 'Authorization: Bearer ${cluster.adminToken}' ${cluster.api.baseUrl}/api/v1/cluster`);
      out(`  curl -s -H 'Authorization: Bearer ${cluster.adminToken}' ${cluster.api.baseUrl}/api/v1/channels/shop`);
      out(`The console: open ${cluster.api.baseUrl}/ and sign in with the token ${cluster.adminToken}`);
      out(`Manager processes: ${first!.child.pid} and ${second!.child.pid} (kill one: the other leads and replication goes on); node: ${cluster.node.child.pid}.`);
      out(`Writing about ${rate} transactions a second to the source; ${seconds === undefined ? 'Ctrl-C to stop' : `stopping after ${seconds} s`}.\n`);
      if (seconds !== undefined) setTimeout(() => stop.abort(), seconds * 1000).unref();
      const load = runDemoLoad(source, rate, stop.signal);
      while (!stop.signal.aborted) {
        await sleep(3_000, undefined, { signal: stop.signal }).catch(() => undefined);
        const pipeline = (await cluster.channelView().catch(() => undefined))?.pipelines[0];
        if (pipeline) out(`[${new Date().toISOString().slice(11, 19)}] ${pipeline.state ?? '-'} on ${pipeline.node ?? '-'} (epoch ${pipeline.epoch ?? '-'}): ${pipeline.rowsPerSecond ?? 0} rows/s, lag ${pipeline.lagMs ?? '-'} ms, at ${pipeline.position ?? '-'}`);
      }
      const transactions = await load;
      out(`\nStopped the load after ${transactions} source transactions; letting Ferry catch up ...`);
      const caughtUp = await waitForSame(source, target);
      for (const table of ['customers', 'orders']) {
        out(`  ${table.padEnd(9)} source: ${await tableSummary(source, table)}`);
        out(`  ${' '.repeat(9)} target: ${await tableSummary(target, table)}`);
      }
      out(caughtUp ? '\nSource and target are identical.' : '\nSource and target still differ after 60 s: see the logs in .ferry/demo/logs.');
      return caughtUp ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await cluster?.stop();
      await source.end().catch(() => undefined);
      await target.end().catch(() => undefined);
      if (values.keep) out(`Servers left running: bin/ferry services status --state-dir ${stateDir}`);
      else await servicesDown(stateDir, log, { purge: true });
    }
  },
};

/** Until the node reports the pipeline running (through the API, as a platform would see it). */
async function waitUntilRunning(cluster: DemoCluster, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!signal.aborted) {
    const pipeline = (await cluster.channelView()).pipelines[0];
    if (pipeline?.state === 'running') return;
    if (pipeline?.error) throw new Error(`pipeline ${pipeline.name}: ${pipeline.error.code}: ${pipeline.error.message}`);
    if (Date.now() > deadline) throw new Error('the pipeline did not start within 60 s; see .ferry/demo/logs');
    await sleep(200);
  }
}

async function waitForSame(source: Connection, target: Connection): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    let same = true;
    for (const table of ['customers', 'orders']) same &&= (await tableSummary(source, table)) === (await tableSummary(target, table));
    if (same) return true;
    await sleep(200);
  }
  return false;
}
