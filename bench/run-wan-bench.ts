import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { PIPELINE_DEFAULTS } from '../shared/config/pipeline-spec.ts';
import type { Logger } from '../shared/logging.ts';
import { DEFAULT_WINDOW } from '../node/pipe/flow-control.ts';
import { WanProxy, mariaDbUrl, mbitToBytesPerSecond, type MariaDbInstance, type WanStats } from '../services/index.ts';
import type { WrittenScenario } from './backlogs.ts';
import { PROCESS, type CpuSubject } from './cpu-usage.ts';
import { timeFerryCatchUp, type FerryCatchUp } from './ferry-catch-up.ts';
import { FerryProcess } from './ferry-process.ts';
import { readGtidPos } from './gtid-pos.ts';
import { measureLag, waitCaughtUp, type LagFigures, type LagObserver } from './lag.ts';
import { nativeCatchUp, stopReplication } from './native-replica.ts';
import { writeLatest } from './results.ts';
import { SplitPipeline } from './split-pipeline.ts';
import { SYSBENCH_SCHEMA, sysbenchWriteOnly, type SysbenchOptions } from './sysbench-write-only.ts';
import { BENCH_SCHEMA } from './tables.ts';
import { assertSameContents, type VerifiedTables } from './verify.ts';
import { wanReportLines } from './wan-report.ts';
import { PATH_KEYS, SPLIT_PREFIX, wanResultsJson, type WanMeasurements, type WanPath } from './wan-results.ts';
import { binlogEnd, lagTableOf, prepareWanTables, startWanServers, stopWanServers } from './wan-servers.ts';

export interface WanBenchOptions {
  quick: boolean;
  log: Logger;
  out: (line: string) => void;
}

/** The issue's constrained link: 100 ms each way (200 ms RTT), 20 Mbit/s each way. */
const LINK = { delayMs: 100, rateMbit: 20 };
/** About the issue's backlog (28.1k transactions, 47 MB of binlog). */
const SYSBENCH: SysbenchOptions = { tables: 4, tableSize: 10_000, transactions: 28_000, seed: 13 };
const QUICK_TRANSACTIONS = 4_000;
/** sysbench oltp_write_only: an update of k, an update of c, a delete and an insert. */
const ROW_CHANGES_PER_TRANSACTION = 4;
const LAG_RATES = [1000, 5000];
const LAG_ID_STRIDE = 100_000_000;
/** The probe row that tells a path has read everything before its lag phase. */
const SYNC_ID = 1;
const SYNC_LIMIT_MS = 600_000;
const VERIFIED: VerifiedTables = { schema: SYSBENCH_SCHEMA, tables: Array.from({ length: SYSBENCH.tables }, (_, i) => `sbtest${i + 1}`) };

/** The split set-ups: the defaults, and larger batch delays and windows (docs/split-pipelines.md, "Figures"). */
export const SPLIT_VARIANTS = [
  { key: `${SPLIT_PREFIX}_default`, maxDelayMs: PIPELINE_DEFAULTS.batchMaxDelayMs, window: DEFAULT_WINDOW.maxInFlightBatches },
  { key: `${SPLIT_PREFIX}_window256`, maxDelayMs: PIPELINE_DEFAULTS.batchMaxDelayMs, window: 256 },
  { key: `${SPLIT_PREFIX}_delay100`, maxDelayMs: 100, window: DEFAULT_WINDOW.maxInFlightBatches },
  { key: `${SPLIT_PREFIX}_delay100_window256`, maxDelayMs: 100, window: 256 },
];

/**
 * Paths whose lag is measured (each alone: none pays for the others' CPU on a shared machine).
 * Of the split set-ups only the batch delays: at 5,000 rows/s about ten 100-row batches are in
 * flight, 20 of the default window's 64 payloads, so the window has no part in lag.
 */
const LAG_PATHS: ReadonlySet<string> = new Set([PATH_KEYS.noWan, PATH_KEYS.native, PATH_KEYS.targetDc, PATH_KEYS.sourceDc, `${SPLIT_PREFIX}_default`, `${SPLIT_PREFIX}_delay100`]);

const PATH_LABELS: Record<string, string> = {
  [PATH_KEYS.noWan]: '(0) bin/ferry run, no WAN (reference)',
  [PATH_KEYS.native]: '(4) MariaDB native replica, binlog across',
  [PATH_KEYS.nativeCompressed]: '(4) the same, slave_compressed_protocol=ON',
  [PATH_KEYS.targetDc]: "(1) bin/ferry run in the target's DC, binlog across",
  [PATH_KEYS.sourceDc]: "(2) bin/ferry run in the source's DC, loading across",
};
const splitLabel = (v: (typeof SPLIT_VARIANTS)[number]): string => `(3) split, batch.maxDelayMs ${v.maxDelayMs}, window ${v.window}`;

function pidOf(db: MariaDbInstance): number {
  if (db.pid === undefined) throw new Error(`no process id recorded for MariaDB ${db.name}`);
  return db.pid;
}

/** Bytes that crossed a link since `before`, each way. */
function crossed(proxy: WanProxy, before: WanStats): { upBytes: number; downBytes: number } {
  const now = proxy.stats();
  return { upBytes: now.up.bytes - before.up.bytes, downBytes: now.down.bytes - before.down.bytes };
}

const catchUpOf = (c: FerryCatchUp): WanPath['catchUp'] => ({ seconds: c.fromReady.seconds, rowsPerSecond: c.fromReady.rowsPerSecond });

/** A path while it runs: how to watch its copy, how to stop it. */
interface PathRun {
  observer: LagObserver;
  stop: () => Promise<unknown>;
  /** Select-side restarts so far (split pipelines). */
  restarts?: () => number;
}

/** A path that caught up the backlog: its figures, its run, and how to run it again from its checkpoint. */
interface CaughtUp {
  path: WanPath;
  run: PathRun;
  resume: () => Promise<PathRun>;
}

/**
 * `bin/ferry bench --wan`: one sysbench oltp_write_only backlog on a source, caught up through
 * an emulated WAN (services/wan-proxy.ts, 100 ms each way, 20 Mbit/s) by every set-up of issue
 * 13, one after another, each into its own server through its own link: native replication
 * (plain and compressed), bin/ferry run on either side of the link, and split pipelines
 * (select and load sides as two processes joined by the pipe) at several tunings, with
 * bin/ferry run without a WAN for reference. Every copy is checked against the source. Then,
 * again alone, each path's lag at 1,000 and 5,000 rows/s into a probe table of its own.
 */
export async function runWanBench({ quick, log, out }: WanBenchOptions): Promise<Record<string, unknown>> {
  const startedAt = performance.now();
  const step = (line: string): void => out(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const sysbench: SysbenchOptions = { ...SYSBENCH, transactions: quick ? QUICK_TRANSACTIONS : SYSBENCH.transactions };
  const lagSeconds = quick ? 10 : 30;
  const link = { delayMs: LINK.delayMs, rateBytesPerSecond: mbitToBytesPerSecond(LINK.rateMbit) };
  const pathKeys = [PATH_KEYS.noWan, PATH_KEYS.native, PATH_KEYS.nativeCompressed, PATH_KEYS.targetDc, PATH_KEYS.sourceDc, ...SPLIT_VARIANTS.map((v) => v.key)];
  const connections: Connection[] = [];
  const proxies: WanProxy[] = [];
  const running: Array<() => Promise<unknown>> = [];
  step(`starting ${pathKeys.length + 1} MariaDB servers under .ferry/bench-wan (the source, one copy per path)`);
  const servers = await startWanServers(pathKeys, log);
  try {
    const { app, replication } = servers.state.users;
    const open = async (db: MariaDbInstance): Promise<Connection> => {
      const connection = await mysql.createConnection({ host: db.host, port: db.port, user: app.user, password: app.password, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true });
      connections.push(connection);
      return connection;
    };
    const writers = await Promise.all([1, 2, 3, 4].map(() => open(servers.source)));
    const source = writers[0]!;
    const copy = new Map<string, Connection>();
    for (const key of pathKeys) copy.set(key, await open(servers.copies.get(key)!));
    await prepareWanTables(source, copy, [PATH_KEYS.native, PATH_KEYS.nativeCompressed], sysbench);

    step(`writing the backlog: sysbench oltp_write_only, ${sysbench.transactions} transactions on 4 connections`);
    const fromGtid = await readGtidPos(source);
    const binlogStart = await binlogEnd(source);
    const writeStarted = performance.now();
    const committed = await sysbenchWriteOnly(writers, sysbench);
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const toGtid = await readGtidPos(source);
    const binlogStop = await binlogEnd(source);
    if (binlogStop.file !== binlogStart.file) throw new Error(`the source's binlog rotated during the backlog (${binlogStart.file} to ${binlogStop.file}): its size is unknown`);
    const scenario: WrittenScenario = { key: 'sysbench', label: 'sysbench oltp_write_only', rowChanges: committed * ROW_CHANGES_PER_TRANSACTION, transactions: committed, fromGtid, toGtid, writeSeconds };
    const backlog = { tables: sysbench.tables, tableSize: sysbench.tableSize, transactions: committed, rowChanges: scenario.rowChanges, binlogBytes: binlogStop.pos - binlogStart.pos, writeSeconds };
    step(`  ${backlog.rowChanges} row changes, ${backlog.binlogBytes} binlog bytes`);

    const sourcePid = pidOf(servers.source);
    const cpuOf = (key: string): Record<string, CpuSubject> => ({ [PROCESS.primary]: sourcePid, [PROCESS.target]: pidOf(servers.copies.get(key)!) });
    const startLink = async (to: MariaDbInstance): Promise<WanProxy> => {
      const proxy = await WanProxy.start({ target: { host: to.host, port: to.port }, ...link });
      proxies.push(proxy);
      return proxy;
    };
    const via = (db: MariaDbInstance, proxy: WanProxy): MariaDbInstance => ({ ...db, host: '127.0.0.1', port: proxy.port });
    // Each Ferry path reads the backlog and its own probe table, nothing of the others'.
    const tablesOf = (key: string): string[] => [`${SYSBENCH_SCHEMA}.*`, `${BENCH_SCHEMA}.${lagTableOf(key)}`];

    /** One bin/ferry run path: through `proxy` (on its source or target side) or none. */
    const ferryPath = async (key: string, sourceVia: MariaDbInstance, targetVia: MariaDbInstance, proxy: WanProxy | undefined): Promise<CaughtUp> => {
      const before = proxy?.stats();
      const options = { source: mariaDbUrl(sourceVia, replication), target: mariaDbUrl(targetVia, app), tables: tablesOf(key).join(','), name: `wan-${key}`, from: fromGtid };
      const start = (): { ferry: FerryProcess; run: PathRun } => {
        const ferry = new FerryProcess(options);
        running.push(() => ferry.stop());
        return { ferry, run: { observer: { name: key, connection: copy.get(key)!, check: () => ferry.check() }, stop: () => ferry.stop() } };
      };
      const { ferry, run } = start();
      const caughtUp = await timeFerryCatchUp(ferry, copy.get(key)!, `wan-${key}`, [scenario], cpuOf(key));
      return {
        path: { key, label: PATH_LABELS[key]!, catchUp: catchUpOf(caughtUp), ...(proxy && before ? { wan: crossed(proxy, before) } : {}), cpu: caughtUp.cpu },
        run,
        // From its checkpoint: --from is for a new pipeline only.
        resume: () => Promise.resolve(start().run),
      };
    };

    /** MariaDB's replication through its own link, applying the backlog and its own probe table only. */
    const nativePath = async (key: string): Promise<CaughtUp> => {
      const nativeLink = await startLink(servers.source);
      const before = nativeLink.stats();
      const replica = copy.get(key)!;
      await replica.query(`SET GLOBAL slave_compressed_protocol = ${key === PATH_KEYS.nativeCompressed ? 1 : 0}`);
      // A filter on the replica: the whole binlog still crosses, as it does for any native replica.
      await replica.query('SET GLOBAL replicate_wild_do_table = ?', [`${SYSBENCH_SCHEMA}.%,${BENCH_SCHEMA}.${lagTableOf(key)}`]);
      const caughtUp = await nativeCatchUp(replica, via(servers.source, nativeLink), replication, [scenario], 0, { [PROCESS.primary]: sourcePid, [PROCESS.replica]: pidOf(servers.copies.get(key)!) });
      running.push(() => stopReplication(replica));
      // Paused and resumed at its position (RESET SLAVE, in stopReplication, only at the end).
      const run: PathRun = { observer: { name: key, connection: replica }, stop: () => replica.query('STOP SLAVE') };
      return {
        path: { key, label: PATH_LABELS[key]!, catchUp: { seconds: caughtUp.seconds, rowsPerSecond: caughtUp.rowsPerSecond }, wan: crossed(nativeLink, before), cpu: caughtUp.cpu },
        run,
        resume: async () => {
          await replica.query('START SLAVE');
          return run;
        },
      };
    };

    /** Select and load sides as two processes, joined by the pipe through their own link. */
    const splitPath = async (variant: (typeof SPLIT_VARIANTS)[number]): Promise<CaughtUp> => {
      const db = servers.copies.get(variant.key)!;
      const name = `wan-${variant.key}`;
      let restarts = 0;
      const start = async (): Promise<{ split: SplitPipeline; run: PathRun }> => {
        const split = await SplitPipeline.start({
          spec: { name, source: mariaDbUrl(servers.source, replication), target: mariaDbUrl(db, app), tables: tablesOf(variant.key), from: fromGtid, batch: { maxDelayMs: variant.maxDelayMs } },
          window: { maxInFlightBatches: variant.window },
          link,
        });
        running.push(() => split.stop());
        const earlier = restarts;
        return {
          split,
          run: {
            observer: { name: variant.key, connection: copy.get(variant.key)!, check: () => split.check() },
            stop: async () => {
              await split.stop();
              restarts = earlier + split.restarts.length;
            },
            restarts: () => earlier + split.restarts.length,
          },
        };
      };
      const { split, run } = await start();
      const before = split.proxy.stats();
      const caughtUp = await timeFerryCatchUp(split, copy.get(variant.key)!, name, [scenario], { ...cpuOf(variant.key), load_side: split.load.pid! });
      const wan = crossed(split.proxy, before);
      const pipe = await split.pipeStats();
      return {
        path: {
          key: variant.key,
          label: splitLabel(variant),
          catchUp: catchUpOf(caughtUp),
          wan,
          cpu: caughtUp.cpu,
          split: { batchMaxDelayMs: variant.maxDelayMs, windowBatches: variant.window, batches: pipe.batches, rttMs: pipe.rttMs, restarts: 0 },
        },
        run,
        resume: async () => (await start()).run,
      };
    };

    // First every catch-up, each path alone and stopped once its copy is checked, so that no
    // path reads (or sends) anything but the backlog while it is timed and its bytes counted.
    const caughtUp: CaughtUp[] = [];
    const caughtUpAlone = async (path: Promise<CaughtUp>): Promise<void> => {
      const done = await path;
      await assertSameContents(source, done.run.observer.connection, done.path.label, VERIFIED);
      done.run.observer.check?.();
      step(`  ${done.path.catchUp.rowsPerSecond} rows/s${done.path.split ? `, ${done.path.split.batches} channel batches` : ''}`);
      await done.run.stop();
      if (done.path.split && done.run.restarts) done.path.split.restarts = done.run.restarts();
      caughtUp.push(done);
    };
    step(PATH_LABELS[PATH_KEYS.noWan]!);
    await caughtUpAlone(ferryPath(PATH_KEYS.noWan, servers.source, servers.copies.get(PATH_KEYS.noWan)!, undefined));
    // Native replication as MariaDB ships it, and with the binlog stream compressed (zlib), as a
    // DBA would set it up on a slow link; the issue's targets compare with the first.
    for (const key of [PATH_KEYS.native, PATH_KEYS.nativeCompressed]) {
      step(PATH_LABELS[key]!);
      await caughtUpAlone(nativePath(key));
    }
    step(PATH_LABELS[PATH_KEYS.targetDc]!);
    const sourceLink = await startLink(servers.source);
    await caughtUpAlone(ferryPath(PATH_KEYS.targetDc, via(servers.source, sourceLink), servers.copies.get(PATH_KEYS.targetDc)!, sourceLink));
    step(PATH_LABELS[PATH_KEYS.sourceDc]!);
    const targetDb = servers.copies.get(PATH_KEYS.sourceDc)!;
    const targetLink = await startLink(targetDb);
    await caughtUpAlone(ferryPath(PATH_KEYS.sourceDc, servers.source, via(targetDb, targetLink), targetLink));
    for (const variant of SPLIT_VARIANTS) {
      step(splitLabel(variant));
      await caughtUpAlone(splitPath(variant));
    }

    // Then each path's lag, again alone: run from its checkpoint, caught up with everything
    // written since (other paths' probe rows, which it reads and skips), measured, stopped.
    const lag: Record<string, Record<string, LagFigures>> = Object.fromEntries(LAG_RATES.map((rate) => [rate, {}]));
    for (const { path, resume } of caughtUp) {
      if (!LAG_PATHS.has(path.key)) continue;
      step(`lag: ${path.label}`);
      const run = await resume();
      const table = lagTableOf(path.key);
      await waitCaughtUp(source, run.observer, table, SYNC_ID, SYNC_LIMIT_MS);
      for (const [i, rate] of LAG_RATES.entries()) {
        step(`  at ${rate} rows/s for ${lagSeconds} s`);
        // A path slower than the rate gets its rows late: give it many times the writes' time.
        const figures = await measureLag(writers.slice(0, 2), [run.observer], (i + 1) * LAG_ID_STRIDE, rate, lagSeconds, { table, arrivalLimitMs: Math.max(300_000, lagSeconds * 20_000) });
        lag[rate]![path.key] = figures[path.key]!;
      }
      run.observer.check?.();
      await run.stop();
      if (path.split && run.restarts) path.split.restarts = run.restarts();
    }
    const paths = caughtUp.map((c) => c.path);

    const [version] = await source.query<RowDataPacket[]>('SELECT VERSION() AS v');
    const measurements: WanMeasurements = {
      quick,
      durationSeconds: (performance.now() - startedAt) / 1000,
      mariadbVersion: String(version[0]?.v),
      link: LINK,
      backlog,
      paths,
      lag,
    };
    const json = wanResultsJson(measurements);
    out('');
    for (const line of wanReportLines(measurements)) out(line);
    out(`Results: ${writeLatest(json, 'wan-latest.json')}`);
    return json;
  } finally {
    for (const stop of running.reverse()) await stop().catch(() => undefined);
    await Promise.all(proxies.map((proxy) => proxy.close().catch(() => undefined)));
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
    await stopWanServers(log);
  }
}
