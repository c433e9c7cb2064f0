import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mariaDbUrl, type MariaDbInstance } from '../services/index.ts';
import type { Logger } from '../shared/logging.ts';
import { measureApplyLimits } from './apply-limit.ts';
import { FULL_SIZES, QUICK_SIZES, writeBacklogs } from './backlogs.ts';
import { PROCESS } from './cpu-usage.ts';
import { measureDecodeLimit } from './decode-limit.ts';
import { timeFerryCatchUp } from './ferry-catch-up.ts';
import { FerryProcess } from './ferry-process.ts';
import { measureLag, type LagFigures, type LagObserver } from './lag.ts';
import { nativeCatchUp, stopReplication } from './native-replica.ts';
import { printReport } from './report.ts';
import { resultsJson, writeLatest, type Measurements } from './results.ts';
import { totalRowChanges } from './segment-clock.ts';
import { connect, createBenchTables, startBenchServers, stopBenchServers, type BenchServers } from './servers.ts';
import { BENCH_SCHEMA } from './tables.ts';
import { assertSameContents } from './verify.ts';

export interface BenchOptions {
  quick: boolean;
  log: Logger;
  out: (line: string) => void;
}

const PIPELINE = 'bench';
const LAG_RATES = [1000, 5000];
/** Lag probe ids per rate: far apart, so each rate's rows are told apart by id. */
const LAG_ID_STRIDE = 100_000_000;

/** A server's process id, for CPU accounting (services/control.ts records it at launch). */
function pidOf(db: MariaDbInstance): number {
  if (db.pid === undefined) throw new Error(`no process id recorded for MariaDB ${db.name}`);
  return db.pid;
}

/**
 * One benchmark run: starts the servers, writes the backlog once, then times each path over
 * it (native 1 thread, native 4 threads, zongji decode alone, bin/ferry run), checks every
 * copy against the primary, measures lag with Ferry caught up, and the mysql2 apply limit.
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
    await createBenchTables(primary, [single, parallel, target], [single, target], single);

    step('writing the backlog on the primary');
    const scenarios = await writeBacklogs(writers, sizes, (line) => step(`  ${line}`));
    const replication = servers.state.users.replication;
    // Each path's CPU: the primary serves the binlog to every reader; the copy's server applies.
    const primaryPid = pidOf(servers.primary);

    step('MariaDB native replication, 1 SQL thread');
    const nativeSingle = await nativeCatchUp(single, servers.primary, replication, scenarios, 0, { [PROCESS.primary]: primaryPid, [PROCESS.replica]: pidOf(servers.nativeSingle) });
    await assertSameContents(primary, single, 'native replica, 1 thread');
    step('MariaDB native replication, 4 threads optimistic');
    const nativeParallel = await nativeCatchUp(parallel, servers.primary, replication, scenarios, 4, { [PROCESS.primary]: primaryPid, [PROCESS.replica]: pidOf(servers.nativeParallel) });
    await assertSameContents(primary, parallel, 'native replica, 4 threads');
    await stopReplication(parallel);

    step('zongji decode alone');
    const decode = await measureDecodeLimit({ host: servers.primary.host, port: servers.primary.port, ...replication }, scenarios, { [PROCESS.primary]: primaryPid });
    if (decode.rowsDecoded !== totalRowChanges(scenarios)) throw new Error(`zongji decoded ${decode.rowsDecoded} rows, the backlog has ${totalRowChanges(scenarios)}`);

    step('bin/ferry run, from an empty checkpoint at the backlog start');
    ferry = new FerryProcess({
      source: mariaDbUrl(servers.primary, replication),
      target: mariaDbUrl(servers.ferryTarget, servers.state.users.app),
      tables: `${BENCH_SCHEMA}.*`,
      name: PIPELINE,
      from: scenarios[0]!.fromGtid,
    });
    const ferryCatchUp = await timeFerryCatchUp(ferry, target, PIPELINE, scenarios, { [PROCESS.primary]: primaryPid, [PROCESS.target]: pidOf(servers.ferryTarget) });
    await assertSameContents(primary, target, 'bin/ferry run');
    const ferryCatchUpRssMb = ferry.peakRssMb;

    const lag: Record<string, Record<string, LagFigures>> = {};
    const running = ferry;
    const observers: LagObserver[] = [
      { name: 'ferry', connection: target, check: () => running.check() },
      { name: 'native_single', connection: single },
    ];
    for (const [i, rate] of LAG_RATES.entries()) {
      step(`lag at ${rate} rows/s for ${lagSeconds} s (Ferry and the 1-thread native replica caught up and running)`);
      lag[rate] = await measureLag(writers.slice(0, 2), observers, (i + 1) * LAG_ID_STRIDE, rate, lagSeconds);
    }
    running.check();
    const ferryPeakRssMb = running.peakRssMb;
    const exitCode = await running.stop();
    ferry = undefined;
    if (exitCode !== 0) step(`note: bin/ferry run exited with ${exitCode} on SIGTERM; its last log lines:\n${running.logTail()}`);

    step('mysql2 multi-row apply alone');
    const apply = await measureApplyLimits(targets, sizes.narrowInserts, sizes.wideInserts, { [PROCESS.target]: pidOf(servers.ferryTarget) });

    const [version] = await primary.query<RowDataPacket[]>('SELECT VERSION() AS v');
    const measurements: Measurements = {
      quick,
      startedAt,
      mariadbVersion: String(version[0]?.v),
      scenarios,
      nativeSingle,
      nativeParallel,
      ferry: ferryCatchUp,
      decode,
      apply,
      lag,
      ferryPeakRssMb,
      ferryCatchUpRssMb,
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
