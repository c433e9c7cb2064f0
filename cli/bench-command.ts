import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { BENCH_SCHEMA, NARROW_TABLE, writeInsertBacklog } from '../bench/backlog.ts';
import { nativeCatchUp } from '../bench/native-replica.ts';
import { defaultStateDir, findFreeBase, mariaDbUrl, servicesDown, servicesUp, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { parseCommandArgs, type Command } from './command.ts';

const usage = `Usage: bin/ferry bench [--quick]

Catch-up of one insert backlog, side by side in one run: MariaDB native replication
(single-threaded, then 4 optimistic threads) and bin/ferry run. Starts its own servers
under .ferry/bench and writes bench/results/latest.json. First cut of issue #4: lag under
load, decode and apply limits and the wide table are not measured yet.

  --quick   100k rows (default 300k)
`;

async function connect(db: MariaDbInstance, state: ServicesState): Promise<Connection> {
  return mysql.createConnection({ host: db.host, port: db.port, user: state.users.app.user, password: state.users.app.password, multipleStatements: true });
}

async function gtidPos(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS g');
  return String(rows[0]?.g ?? '');
}

async function count(connection: Connection): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${BENCH_SCHEMA}.narrow`);
  return Number(rows[0]?.n);
}

/** Peak resident memory of a process in MB (VmHWM), or 0 when it is gone. */
function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'catch-up speed against MariaDB native replication',
  usage,
  async run(argv, { log, out }) {
    const { values } = parseCommandArgs(argv, { quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      out(usage);
      return 0;
    }
    const rows = values.quick ? 100_000 : 300_000;
    const stateDir = join(defaultStateDir(), '..', 'bench');
    await servicesDown(stateDir, log, { purge: true });
    const base = await findFreeBase([0, 100, 200, 1000, 1001, 1002]);
    const state = await servicesUp({ stateDir, zkServers: 0, mariadb: 3, mariadbPort: base + 1000 }, log);
    const [primaryDb, replicaDb, targetDb] = state.mariadb as [MariaDbInstance, MariaDbInstance, MariaDbInstance];
    const primary = await connect(primaryDb, state);
    const replica = await connect(replicaDb, state);
    const target = await connect(targetDb, state);
    try {
      for (const connection of [primary, replica, target]) await connection.query(`CREATE DATABASE ${BENCH_SCHEMA}; ${NARROW_TABLE}`);
      const from = await gtidPos(primary);
      out(`Writing ${rows} rows in 100-row transactions ...`);
      await writeInsertBacklog(primary, rows, 100);
      const to = await gtidPos(primary);

      const results: Record<string, number> = { rows };
      for (const threads of [0, 4]) {
        const native = await nativeCatchUp(replica, primaryDb, state.users.replication, from, to, threads);
        if ((await count(replica)) !== rows) throw new Error('native replica did not apply every row');
        results[threads === 0 ? 'native_single_rows_per_s' : 'native_parallel_rows_per_s'] = Math.round(rows / native.seconds);
        await replica.query(`SET SESSION sql_log_bin = 0; TRUNCATE ${BENCH_SCHEMA}.narrow`);
      }

      const args = ['bin/ferry', 'run', '--source', mariaDbUrl(primaryDb, state.users.replication), '--target', mariaDbUrl(targetDb, state.users.app), '--tables', `${BENCH_SCHEMA}.*`, '--name', 'bench', '--from', from];
      const ferry = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, FERRY_LOG_LEVEL: 'warn' } });
      const started = process.hrtime.bigint();
      let peak = 0;
      while ((await count(target)) < rows) {
        peak = Math.max(peak, peakRssMb(ferry.pid!));
        if (ferry.exitCode !== null) throw new Error(`bin/ferry run exited with ${ferry.exitCode}`);
        await sleep(20);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      peak = Math.max(peak, peakRssMb(ferry.pid!));
      ferry.kill('SIGTERM');
      results.ferry_rows_per_s = Math.round(rows / seconds);
      results.ferry_peak_rss_mb = peak;
      results.ratio_vs_native_single = Number((results.ferry_rows_per_s / results.native_single_rows_per_s!).toFixed(3));
      results.ratio_vs_native_parallel = Number((results.ferry_rows_per_s / results.native_parallel_rows_per_s!).toFixed(3));

      out('\npath                                  rows/s');
      out(`MariaDB native, 1 SQL thread        ${String(results.native_single_rows_per_s).padStart(8)}`);
      out(`MariaDB native, 4 threads optimistic ${String(results.native_parallel_rows_per_s).padStart(8)}`);
      out(`bin/ferry run (incl. process start)  ${String(results.ferry_rows_per_s).padStart(8)}   peak RSS ${peak} MB`);
      out(`ratio vs native single ${results.ratio_vs_native_single}, vs native parallel ${results.ratio_vs_native_parallel}`);
      const dir = join(import.meta.dirname, '..', 'bench', 'results');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), quick: values.quick === true, ...results }, null, 2)}\n`);
      return 0;
    } finally {
      await Promise.all([primary.end(), replica.end(), target.end()].map((p) => p.catch(() => undefined)));
      await servicesDown(stateDir, log, { purge: true });
    }
  },
};
