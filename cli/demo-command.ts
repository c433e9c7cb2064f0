import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultStateDir, findFreeBase, mariaDbUrl, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { pipelineFromQuickForm } from '../shared/config/load-pipeline-config.ts';
import { PipelineRunner } from '../node/pipeline/pipeline-runner.ts';
import { DEMO_SCHEMA, DEMO_TABLES } from './demo/demo-schema.ts';
import { runDemoLoad } from './demo/demo-load.ts';
import { parseCommandArgs, positiveInt, type Command } from './command.ts';

const usage = `Usage: bin/ferry demo [--seconds N] [--rate N] [--keep]

Starts real servers of its own (ZooKeeper and two MariaDB, under .ferry/demo), creates a
small shop database on the source, replicates it with Ferry to the target while a steady
write load runs, and every few seconds compares source and target. Ctrl-C ends it.

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
  summary: 'replicate a live shop database between two local MariaDB servers',
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
    let runner: PipelineRunner | undefined;
    try {
      for (const connection of [source, target]) {
        await connection.query(`CREATE DATABASE ${DEMO_SCHEMA}; USE ${DEMO_SCHEMA}; ${DEMO_TABLES.join(';\n')}`);
      }
      const sourceUrl = mariaDbUrl(sourceDb, state.users.replication);
      const targetUrl = mariaDbUrl(targetDb, state.users.app);
      const pipeline = pipelineFromQuickForm({ name: 'demo', source: sourceUrl, target: targetUrl, tables: `${DEMO_SCHEMA}.*` });
      runner = new PipelineRunner(pipeline, { log: log.child({ component: 'run', pipeline: 'demo' }) });
      const running = runner.run();
      await waitUntilRunning(runner, stop.signal);
      out(`Source ${sourceUrl.replace(/:[^:@]*@/, ':***@')} -> target ${targetUrl.replace(/:[^:@]*@/, ':***@')}, tables ${DEMO_SCHEMA}.*`);
      out(`Same thing from a shell: bin/ferry run --source ${sourceUrl} --target ${targetUrl} --tables '${DEMO_SCHEMA}.*'`);
      out(`Writing about ${rate} transactions a second to the source; ${seconds === undefined ? 'Ctrl-C to stop' : `stopping after ${seconds} s`}.\n`);
      if (seconds !== undefined) setTimeout(() => stop.abort(), seconds * 1000).unref();
      const load = runDemoLoad(source, rate, stop.signal);
      while (!stop.signal.aborted) {
        await sleep(3_000, undefined, { signal: stop.signal }).catch(() => undefined);
        const status = runner.status();
        out(`[${new Date().toISOString().slice(11, 19)}] applied ${status.rowsApplied} rows, ${status.rowsPerSecond} rows/s, lag ${status.lagMs} ms (apply delay ${status.applyDelayMs} ms), at ${status.position?.gtidSet ?? '-'}`);
      }
      const transactions = await load;
      out(`\nStopped the load after ${transactions} source transactions; letting Ferry catch up ...`);
      const caughtUp = await waitForSame(source, target);
      runner.stop();
      await running;
      for (const table of ['customers', 'orders']) {
        out(`  ${table.padEnd(9)} source: ${await tableSummary(source, table)}`);
        out(`  ${' '.repeat(9)} target: ${await tableSummary(target, table)}`);
      }
      out(caughtUp ? '\nSource and target are identical.' : '\nSource and target still differ after 60 s: see the log above.');
      return caughtUp ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      runner?.stop();
      await source.end().catch(() => undefined);
      await target.end().catch(() => undefined);
      if (values.keep) out(`Servers left running: bin/ferry services status --state-dir ${stateDir}`);
      else await servicesDown(stateDir, log, { purge: true });
    }
  },
};

async function waitUntilRunning(runner: PipelineRunner, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && runner.status().state !== 'running') {
    if (runner.status().state === 'failed') throw new Error(runner.status().error?.message ?? 'pipeline failed');
    await sleep(100);
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
