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
import { measureLag, type LagFigures, type LagObserver } from './lag.ts';
import { nativeCatchUp, stopReplication } from './native-replica.ts';
import { writeLatest } from './results.ts';
import { SplitPipeline } from './split-pipeline.ts';
import { SYSBENCH_SCHEMA, sysbenchWriteOnly, type SysbenchOptions } from './sysbench-write-only.ts';
import { BENCH_SCHEMA } from './tables.ts';
import { assertSameContents, type VerifiedTables } from './verify.ts';
import { wanReportLines } from './wan-report.ts';
import { PATH_KEYS, SPLIT_PREFIX, wanResultsJson, type WanMeasurements, type WanPath } from './wan-results.ts';
import { binlogEnd, prepareWanTables, startWanServers, stopWanServers } from './wan-servers.ts';

export interface WanBenchOptions {
  quick: boolean;
  log: Logger;
  out: (line: string) => void;
}

/** The constrained link: 100 ms each way (200 ms RTT), 20 Mbit/s each way. */
const LINK = { delayMs: 100, rateMbit: 20 };
const SYSBENCH: SysbenchOptions = { tables: 4, tableSize: 10_000, transactions: 20_000, seed: 13 };
const QUICK_TRANSACTIONS = 4_000;
/** sysbench oltp_write_only: an update of k, an update of c, a delete and an insert. */
const ROW_CHANGES_PER_TRANSACTION = 4;
const LAG_RATES = [1000, 5000];
const LAG_ID_STRIDE = 100_000_000;
const TABLES = `${SYSBENCH_SCHEMA}.*,${BENCH_SCHEMA}.*`;
const VERIFIED: VerifiedTables = { schema: SYSBENCH_SCHEMA, tables: Array.from({ length: SYSBENCH.tables }, (_, i) => `sbtest${i + 1}`) };

/** The split set-ups: the defaults, and larger batch delays and windows (docs/split-pipelines.md, "Figures"). */
export const SPLIT_VARIANTS = [
  { key: `${SPLIT_PREFIX}_default`, maxDelayMs: PIPELINE_DEFAULTS.batchMaxDelayMs, window: DEFAULT_WINDOW.maxInFlightBatches },
  { key: `${SPLIT_PREFIX}_window256`, maxDelayMs: PIPELINE_DEFAULTS.batchMaxDelayMs, window: 256 },
  { key: `${SPLIT_PREFIX}_delay100`, maxDelayMs: 100, window: DEFAULT_WINDOW.maxInFlightBatches },
  { key: `${SPLIT_PREFIX}_delay100_window256`, maxDelayMs: 100, window: 256 },
];

const PATH_LABELS: Record<string, string> = {
  [PATH_KEYS.noWan]: '(0) bin/ferry run, no WAN (reference)',
  [PATH_KEYS.native]: '(4) MariaDB native replica, binlog across',
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

/**
 * `bin/ferry bench --wan`: one sysbench oltp_write_only backlog on a source, caught up through
 * an emulated WAN (services/wan-proxy.ts, 100 ms each way, 20 Mbit/s) by every set-up of issue
 * 13, one after another, each into its own server and through its own link: native
 * replication, bin/ferry run on either side of the link, and split pipelines (select and load
 * sides as two processes joined by the pipe) at several tunings; bin/ferry run without a WAN
 * for reference. Every copy is checked against the source; then, with every path caught up
 * and running, lag at 1,000 and 5,000 rows/s on all of them at once.
 */
export async function runWanBench({ quick, log, out }: WanBenchOptions): Promise<Record<string, unknown>> {
  const startedAt = performance.now();
  const step = (line: string): void => out(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const sysbench: SysbenchOptions = { ...SYSBENCH, transactions: quick ? QUICK_TRANSACTIONS : SYSBENCH.transactions };
  const lagSeconds = quick ? 10 : 30;
  const link = { delayMs: LINK.delayMs, rateBytesPerSecond: mbitToBytesPerSecond(LINK.rateMbit) };
  const pathKeys = [PATH_KEYS.noWan, PATH_KEYS.native, PATH_KEYS.targetDc, PATH_KEYS.sourceDc, ...SPLIT_VARIANTS.map((v) => v.key)];
  const connections: Connection[] = [];
  const proxies: WanProxy[] = [];
  const running: Array<{ stop: () => Promise<unknown> }> = [];
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
    await prepareWanTables(source, [...copy.values()], copy.get(PATH_KEYS.native)!, sysbench);

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

    const paths: WanPath[] = [];
    const observers: LagObserver[] = [];
    const sourcePid = pidOf(servers.source);
    const cpuOf = (key: string): Record<string, CpuSubject> => ({ [PROCESS.primary]: sourcePid, [PROCESS.target]: pidOf(servers.copies.get(key)!) });
    const startLink = async (to: MariaDbInstance): Promise<WanProxy> => {
      const proxy = await WanProxy.start({ target: { host: to.host, port: to.port }, ...link });
      proxies.push(proxy);
      return proxy;
    };
    const via = (db: MariaDbInstance, proxy: WanProxy): MariaDbInstance => ({ ...db, host: '127.0.0.1', port: proxy.port });

    // One bin/ferry run path: through `proxy` (source or target side) or none.
    const ferryPath = async (key: string, sourceVia: MariaDbInstance, targetVia: MariaDbInstance, proxy: WanProxy | undefined): Promise<void> => {
      step(PATH_LABELS[key]!);
      const before = proxy?.stats();
      const ferry = new FerryProcess({ source: mariaDbUrl(sourceVia, replication), target: mariaDbUrl(targetVia, app), tables: TABLES, name: `wan-${key}`, from: fromGtid });
      running.push(ferry);
      const caughtUp = await timeFerryCatchUp(ferry, copy.get(key)!, `wan-${key}`, [scenario], cpuOf(key));
      await assertSameContents(source, copy.get(key)!, PATH_LABELS[key]!, VERIFIED);
      paths.push({ key, label: PATH_LABELS[key]!, catchUp: catchUpOf(caughtUp), ...(proxy && before ? { wan: crossed(proxy, before) } : {}), cpu: caughtUp.cpu });
      observers.push({ name: key, connection: copy.get(key)!, check: () => ferry.check() });
      step(`  ${caughtUp.fromReady.rowsPerSecond} rows/s`);
    };

    await ferryPath(PATH_KEYS.noWan, servers.source, servers.copies.get(PATH_KEYS.noWan)!, undefined);

    step(PATH_LABELS[PATH_KEYS.native]!);
    const nativeLink = await startLink(servers.source);
    const nativeBefore = nativeLink.stats();
    const native = copy.get(PATH_KEYS.native)!;
    const nativeCatch = await nativeCatchUp(native, via(servers.source, nativeLink), replication, [scenario], 0, { [PROCESS.primary]: sourcePid, [PROCESS.replica]: pidOf(servers.copies.get(PATH_KEYS.native)!) });
    await assertSameContents(source, native, PATH_LABELS[PATH_KEYS.native]!, VERIFIED);
    paths.push({ key: PATH_KEYS.native, label: PATH_LABELS[PATH_KEYS.native]!, catchUp: { seconds: nativeCatch.seconds, rowsPerSecond: nativeCatch.rowsPerSecond }, wan: crossed(nativeLink, nativeBefore), cpu: nativeCatch.cpu });
    observers.push({ name: PATH_KEYS.native, connection: native });
    running.push({ stop: () => stopReplication(native) });
    step(`  ${nativeCatch.rowsPerSecond} rows/s`);

    const sourceLink = await startLink(servers.source);
    await ferryPath(PATH_KEYS.targetDc, via(servers.source, sourceLink), servers.copies.get(PATH_KEYS.targetDc)!, sourceLink);
    const targetDb = servers.copies.get(PATH_KEYS.sourceDc)!;
    const targetLink = await startLink(targetDb);
    await ferryPath(PATH_KEYS.sourceDc, servers.source, via(targetDb, targetLink), targetLink);

    const splits = new Map<string, SplitPipeline>();
    for (const variant of SPLIT_VARIANTS) {
      const label = splitLabel(variant);
      step(label);
      const db = servers.copies.get(variant.key)!;
      const name = `wan-${variant.key}`;
      const split = await SplitPipeline.start({
        spec: { name, source: mariaDbUrl(servers.source, replication), target: mariaDbUrl(db, app), tables: TABLES.split(','), from: fromGtid, batch: { maxDelayMs: variant.maxDelayMs } },
        window: { maxInFlightBatches: variant.window },
        link,
      });
      running.push(split);
      splits.set(variant.key, split);
      const before = split.proxy.stats();
      const caughtUp = await timeFerryCatchUp(split, copy.get(variant.key)!, name, [scenario], { ...cpuOf(variant.key), load_side: split.load.pid! });
      const wan = crossed(split.proxy, before);
      const pipe = await split.pipeStats();
      await assertSameContents(source, copy.get(variant.key)!, label, VERIFIED);
      paths.push({
        key: variant.key,
        label,
        catchUp: catchUpOf(caughtUp),
        wan,
        cpu: caughtUp.cpu,
        split: { batchMaxDelayMs: variant.maxDelayMs, windowBatches: variant.window, batches: pipe.batches, rttMs: pipe.rttMs, restarts: split.restarts.length },
      });
      observers.push({ name: variant.key, connection: copy.get(variant.key)!, check: () => split.check() });
      step(`  ${caughtUp.fromReady.rowsPerSecond} rows/s, ${pipe.batches} channel batches`);
    }

    const lag: Record<string, Record<string, LagFigures>> = {};
    for (const [i, rate] of LAG_RATES.entries()) {
      step(`lag at ${rate} rows/s for ${lagSeconds} s, every path caught up and running`);
      // A path slower than the rate gets its rows late: give it the time the writes took, many times over.
      lag[rate] = await measureLag(writers.slice(0, 2), observers, (i + 1) * LAG_ID_STRIDE, rate, lagSeconds, Math.max(300_000, lagSeconds * 20_000));
    }
    // Restarts over the whole run, lag phase included.
    for (const path of paths) if (path.split !== undefined) path.split.restarts = splits.get(path.key)!.restarts.length;
    for (const observer of observers) observer.check?.();

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
    for (const path of running.reverse()) await path.stop().catch(() => undefined);
    await Promise.all(proxies.map((proxy) => proxy.close().catch(() => undefined)));
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
    await stopWanServers(log);
  }
}
