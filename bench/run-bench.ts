import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mariaDbUrl, type MariaDbInstance } from '../services/index.ts';
import type { Logger } from '../shared/logging.ts';
import { measureApplyLimits } from './apply-limit.ts';
import { FULL_SIZES, QUICK_SIZES, writeBacklogs } from './backlogs.ts';
import { PROCESS } from './cpu-usage.ts';
import { measureDecodeLimit } from './decode-limit.ts';
import { committedGtid, timeFerryCatchUp, type FerryCatchUp } from './ferry-catch-up.ts';
import { FerryProcess } from './ferry-process.ts';
import type { LagFigures } from './lag.ts';
import { nativeCatchUp, stopReplication } from './native-replica.ts';
import { captureBacklogEvents } from './replay-capture.ts';
import { measureReplayLimit } from './replay-limit.ts';
import { printReport } from './report.ts';
import { resultsJson, writeLatest, type Measurements } from './results.ts';
import { totalRowChanges } from './segment-clock.ts';
import { BENCH_VERIFIED, benchStateDir, connect, createBenchTables, resetBenchCopy, startBenchServers, stopBenchServers, type BenchServers } from './servers.ts';
import { BENCH_SCHEMA } from './tables.ts';
import { assertSameContents } from './verify.ts';
import { measureVisibilityLag, replicaPosition, type PositionObserver } from './visibility-lag.ts';

export interface BenchOptions {
  quick: boolean;
  log: Logger;
  out: (line: string) => void;
}

const PIPELINE = 'bench';
const LAG_RATES = [1000, 5000];
/** Lag probe ids per rate: far apart, so each rate's rows are told apart by id. */
const LAG_ID_STRIDE = 100_000_000;

/** A pipeline file for the fields bin/ferry run has no flag for, under the servers' state directory. */
function writePipelineFile(name: string, fields: Record<string, unknown>): string {
  const dir = benchStateDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(fields)}\n`);
  return file;
}

/** A server's process id, for CPU accounting (services/control.ts records it at launch). */
function pidOf(db: MariaDbInstance): number {
  if (db.pid === undefined) throw new Error(`no process id recorded for MariaDB ${db.name}`);
  return db.pid;
}

/**
 * One benchmark run: starts the servers, writes the backlog once, then times each path over
 * it (native 1 thread, native 4 threads, zongji decode alone, bin/ferry run with binlogReplay
 * off and then with the default, each into a fresh target), checks every copy against the
 * primary, measures lag with the default path and the 1-thread replica caught up, and the
 * raw limits (mysql2 text and binary protocol, BINLOG replay of the captured backlog).
 * The servers are stopped and purged whatever happens.
 */
export async function runBench({ quick, log, out }: BenchOptions): Promise<Record<string, unknown>> {
  const startedAt = performance.now();
  const step = (line: string): void => out(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const sizes = quick ? QUICK_SIZES : FULL_SIZES;
  const lagSeconds = quick ? 10 : 30;
  const connections: Connection[] = [];
  let ferry: FerryProcess | undefined;
  step('starting 4 MariaDB servers under .ferry/bench (primary, native replica x2, Ferry target)');
  const servers = await startBenchServers(log);
  try {
    const open = async (db: BenchServers['primary']): Promise<Connection> => {
      const connection = await connect(servers, db);
      connections.push(connection);
      return connection;
    };
    const writers = await Promise.all([1, 2, 3, 4].map(() => open(servers.primary)));
    const primary = writers[0]!;
    const single = await open(servers.nativeSingle);
    const parallel = await open(servers.nativeParallel);
    const targets = await Promise.all([1, 2, 3, 4].map(() => open(servers.ferryTarget)));
    const target = targets[0]!;
    await createBenchTables(primary, [single, parallel, target]);

    step('writing the backlog on the primary');
    const scenarios = await writeBacklogs(writers, sizes, (line) => step(`  ${line}`));
    const replication = servers.state.users.replication;
    const source = { host: servers.primary.host, port: servers.primary.port, ...replication };
    // Each path's CPU: the primary serves the binlog to every reader; the copy's server applies.
    const primaryPid = pidOf(servers.primary);

    step('MariaDB native replication, 1 SQL thread');
    const nativeSingle = await nativeCatchUp(single, servers.primary, replication, scenarios, 0, { [PROCESS.primary]: primaryPid, [PROCESS.replica]: pidOf(servers.nativeSingle) });
    await assertSameContents(primary, single, 'native replica, 1 thread', BENCH_VERIFIED);
    step('MariaDB native replication, 4 threads optimistic');
    const nativeParallel = await nativeCatchUp(parallel, servers.primary, replication, scenarios, 4, { [PROCESS.primary]: primaryPid, [PROCESS.replica]: pidOf(servers.nativeParallel) });
    await assertSameContents(primary, parallel, 'native replica, 4 threads', BENCH_VERIFIED);
    await stopReplication(parallel);

    step('zongji decode alone');
    const decode = await measureDecodeLimit(source, scenarios, { [PROCESS.primary]: primaryPid });
    if (decode.rowsDecoded !== totalRowChanges(scenarios)) throw new Error(`zongji decoded ${decode.rowsDecoded} rows, the backlog has ${totalRowChanges(scenarios)}`);

    const ferryCpuOf = { [PROCESS.primary]: primaryPid, [PROCESS.target]: pidOf(servers.ferryTarget) };
    const startFerry = (config?: string): FerryProcess =>
      new FerryProcess({
        source: mariaDbUrl(servers.primary, replication),
        target: mariaDbUrl(servers.ferryTarget, servers.state.users.app),
        tables: `${BENCH_SCHEMA}.*`,
        name: PIPELINE,
        from: scenarios[0]!.fromGtid,
        ...(config ? { config } : {}),
      });

    step('bin/ferry run, binlogReplay off (SQL), from an empty checkpoint at the backlog start');
    const sqlConfig = writePipelineFile('pipeline-sql.json', { binlogReplay: 'off' });
    const sqlRun = startFerry(sqlConfig);
    ferry = sqlRun;
    let ferrySql: FerryCatchUp;
    try {
      ferrySql = await timeFerryCatchUp(sqlRun, target, PIPELINE, scenarios, ferryCpuOf);
      await assertSameContents(primary, target, 'bin/ferry run, binlogReplay off', BENCH_VERIFIED);
    } finally {
      await sqlRun.stop();
      ferry = undefined;
    }
    const ferrySqlPeakRssMb = sqlRun.peakRssMb;

    step('bin/ferry run, binlogReplay auto (the default), into a fresh target');
    await resetBenchCopy(target);
    ferry = startFerry();
    const ferryCatchUp = await timeFerryCatchUp(ferry, target, PIPELINE, scenarios, ferryCpuOf);
    await assertSameContents(primary, target, 'bin/ferry run, binlogReplay auto', BENCH_VERIFIED);
    const ferryCatchUpRssMb = ferry.peakRssMb;

    const lag: Record<string, Record<string, LagFigures>> = {};
    const running = ferry;
    // Connections of their own: each poller keeps its connection busy.
    const observers: PositionObserver[] = [
      { name: 'ferry', connection: await open(servers.ferryTarget), position: (connection) => committedGtid(connection, PIPELINE), check: () => running.check() },
      { name: 'native_single', connection: await open(servers.nativeSingle), position: replicaPosition },
    ];
    for (const [i, rate] of LAG_RATES.entries()) {
      step(`lag at ${rate} rows/s for ${lagSeconds} s (Ferry, binlogReplay auto, and the 1-thread native replica caught up and running)`);
      lag[rate] = await measureVisibilityLag(writers.slice(0, 2), observers, (i + 1) * LAG_ID_STRIDE, rate, lagSeconds);
    }
    running.check();
    const ferryPeakRssMb = running.peakRssMb;
    const exitCode = await running.stop();
    ferry = undefined;
    if (exitCode !== 0) step(`note: bin/ferry run exited with ${exitCode} on SIGTERM; its last log lines:\n${running.logTail()}`);

    step('mysql2 multi-row apply alone (text protocol, then prepared statements)');
    const apply = await measureApplyLimits(targets, sizes.narrowInserts, sizes.wideInserts, { [PROCESS.target]: pidOf(servers.ferryTarget) });

    step("BINLOG replay alone: the backlog's row events into the 4-thread replica's tables, reset");
    const captured = await captureBacklogEvents(source, BENCH_SCHEMA, scenarios);
    await resetBenchCopy(parallel);
    const replay = await measureReplayLimit(parallel, scenarios, captured, { [PROCESS.target]: pidOf(servers.nativeParallel) });
    await assertSameContents(primary, parallel, 'BINLOG replay alone', BENCH_VERIFIED);

    const [version] = await primary.query<RowDataPacket[]>('SELECT VERSION() AS v');
    const measurements: Measurements = {
      quick,
      startedAt,
      mariadbVersion: String(version[0]?.v),
      scenarios,
      nativeSingle,
      nativeParallel,
      ferry: ferryCatchUp,
      ferrySql,
      decode,
      apply,
      replay,
      lag,
      ferryPeakRssMb,
      ferryCatchUpRssMb,
      ferrySqlPeakRssMb,
    };
    const json = resultsJson(measurements);
    printReport(measurements, json, out);
    out(`Results: ${writeLatest(json)}`);
    return json;
  } finally {
    await ferry?.stop().catch(() => undefined);
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
    await stopBenchServers(log);
  }
}
