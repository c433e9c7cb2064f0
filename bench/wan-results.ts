import { cpus, totalmem } from 'node:os';
import { microsPerRow, totalCpuSeconds, type CpuUse } from './cpu-usage.ts';
import type { LagFigures } from './lag.ts';

/**
 * The WAN benchmark's results (`bin/ferry bench --wan`): what one run measured, shaped into
 * bench/results/wan-latest.json with the targets checked. Pure: the unit tests feed it
 * made-up measurements.
 */

export interface WanLink {
  delayMs: number;
  rateMbit: number;
}

/** The sysbench oltp_write_only backlog every path catches up. */
export interface WanBacklog {
  tables: number;
  tableSize: number;
  transactions: number;
  rowChanges: number;
  /** Binlog bytes the backlog's transactions took on the source (annotations off). */
  binlogBytes: number;
  writeSeconds: number;
}

/** A split pipeline's tuning and what its select side's pipe counted. */
export interface SplitFigures {
  batchMaxDelayMs: number;
  /** The pipe's window.maxInFlightBatches: transport payloads, two per channel batch (the batch and its batch-end). */
  windowBatches: number;
  /** Channel batches sent during the catch-up. */
  batches: number;
  rttMs: number | undefined;
  /** Select-side attempts started again after a failure, whole run. */
  restarts: number;
}

export interface WanPath {
  key: string;
  label: string;
  catchUp: { seconds: number; rowsPerSecond: number };
  /** Bytes across the emulated link during the catch-up, each way; none for the reference without a WAN. */
  wan?: { upBytes: number; downBytes: number };
  cpu: CpuUse;
  split?: SplitFigures;
}

export interface WanMeasurements {
  quick: boolean;
  durationSeconds: number;
  mariadbVersion: string;
  link: WanLink;
  backlog: WanBacklog;
  paths: WanPath[];
  /** Rate asked (rows/s) to path key to figures. */
  lag: Record<string, Record<string, LagFigures>>;
}

/** The paths the targets compare: keys of WanPath. */
export const PATH_KEYS = {
  noWan: 'ferry_no_wan',
  native: 'native',
  nativeCompressed: 'native_compressed',
  targetDc: 'ferry_target_dc',
  sourceDc: 'ferry_source_dc',
} as const;
export const SPLIT_PREFIX = 'split';

/** The targets (issue 13, "Targets"). */
export const TARGETS = {
  /** Lag p99 at this rate at most the one-way delay plus this. */
  lagRate: 5000,
  lagOverDelayMs: 100,
  /** Split catch-up against the whole pipeline in one datacenter (reading the binlog across). */
  splitVsWhole: 0.9,
  splitVsNative: 1.5,
  /** WAN bytes against the source binlog bytes of the replicated tables. */
  wanBytesVsBinlog: 0.15,
} as const;

export interface TargetCheck {
  target: string;
  path: string;
  value: number | null;
  limit: string;
  met: boolean | null;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export function wanBytes(path: WanPath): number | undefined {
  return path.wan === undefined ? undefined : path.wan.upBytes + path.wan.downBytes;
}

/**
 * Seconds the busier direction's bytes take at the link's rate: the least any path could
 * take to cross them. A catch-up close to it is bound by bandwidth.
 */
export function linkFloorSeconds(path: WanPath, link: WanLink): number | undefined {
  if (path.wan === undefined) return undefined;
  return (Math.max(path.wan.upBytes, path.wan.downBytes) * 8) / (link.rateMbit * 1_000_000);
}

export const splitPaths = (m: WanMeasurements): WanPath[] => m.paths.filter((p) => p.key.startsWith(SPLIT_PREFIX));

/** Each split variant against each target; null (not met, not failed) where a figure is missing. */
export function checkTargets(m: WanMeasurements): TargetCheck[] {
  const byKey = new Map(m.paths.map((p) => [p.key, p]));
  const rate = (key: string): number | undefined => byKey.get(key)?.catchUp.rowsPerSecond;
  const checks: TargetCheck[] = [];
  const lagLimit = m.link.delayMs + TARGETS.lagOverDelayMs;
  for (const split of splitPaths(m)) {
    const p99 = m.lag[TARGETS.lagRate]?.[split.key]?.p99;
    checks.push({ target: `lag p99 at ${TARGETS.lagRate} rows/s`, path: split.key, value: p99 ?? null, limit: `<= ${lagLimit} ms`, met: p99 === undefined ? null : p99 <= lagLimit });
    // Two readings of "the same pipeline in one DC": whole in the target's DC across the same
    // link (the judged one), and whole with no WAN at all (what the split costs over none).
    const whole = rate(PATH_KEYS.targetDc);
    const vsWhole = whole === undefined ? null : round(split.catchUp.rowsPerSecond / whole, 3);
    checks.push({ target: 'catch-up vs whole in the target DC', path: split.key, value: vsWhole, limit: `>= ${TARGETS.splitVsWhole}`, met: vsWhole === null ? null : vsWhole >= TARGETS.splitVsWhole });
    const local = rate(PATH_KEYS.noWan);
    const vsLocal = local === undefined ? null : round(split.catchUp.rowsPerSecond / local, 3);
    checks.push({ target: 'catch-up vs bin/ferry run without a WAN', path: split.key, value: vsLocal, limit: `>= ${TARGETS.splitVsWhole}`, met: vsLocal === null ? null : vsLocal >= TARGETS.splitVsWhole });
    const native = rate(PATH_KEYS.native);
    const vsNative = native === undefined ? null : round(split.catchUp.rowsPerSecond / native, 3);
    checks.push({ target: 'catch-up vs native replication', path: split.key, value: vsNative, limit: `>= ${TARGETS.splitVsNative}`, met: vsNative === null ? null : vsNative >= TARGETS.splitVsNative });
    const bytes = wanBytes(split);
    const vsBinlog = bytes === undefined ? null : round(bytes / m.backlog.binlogBytes, 4);
    checks.push({ target: 'WAN bytes vs source binlog bytes', path: split.key, value: vsBinlog, limit: `<= ${TARGETS.wanBytesVsBinlog}`, met: vsBinlog === null ? null : vsBinlog <= TARGETS.wanBytesVsBinlog });
  }
  return checks;
}

function lagOf(m: WanMeasurements, key: string): Record<string, LagFigures> {
  return Object.fromEntries(Object.entries(m.lag).flatMap(([rate, byPath]) => (byPath[key] ? [[rate, byPath[key]]] : [])));
}

function pathJson(m: WanMeasurements, path: WanPath): Record<string, unknown> {
  const bytes = wanBytes(path);
  const rows = m.backlog.rowChanges;
  return {
    label: path.label,
    rows_per_s: path.catchUp.rowsPerSecond,
    seconds: round(path.catchUp.seconds, 2),
    ...(path.wan === undefined || bytes === undefined
      ? {}
      : {
          wan_bytes_up: path.wan.upBytes,
          wan_bytes_down: path.wan.downBytes,
          wan_bytes_per_row_change: round(bytes / rows, 1),
          wan_bytes_vs_binlog: round(bytes / m.backlog.binlogBytes, 4),
          link_floor_s: round(linkFloorSeconds(path, m.link)!, 2),
        }),
    lag_ms: lagOf(m, path.key),
    cpu_us_per_row: Object.fromEntries([...Object.entries(path.cpu.seconds), ['total', totalCpuSeconds(path.cpu)]].map(([name, s]) => [name, round(microsPerRow(s as number, path.cpu.rows), 1)])),
    ...(path.split === undefined
      ? {}
      : {
          split: {
            batch_max_delay_ms: path.split.batchMaxDelayMs,
            window_batches: path.split.windowBatches,
            channel_batches: path.split.batches,
            rows_per_batch: path.split.batches > 0 ? round(rows / path.split.batches, 1) : null,
            rtt_ms: path.split.rttMs === undefined ? null : round(path.split.rttMs, 1),
            restarts: path.split.restarts,
          },
        }),
  };
}

/** The JSON of a run: bench/results/wan-latest.json. */
export function wanResultsJson(m: WanMeasurements, at: Date = new Date()): Record<string, unknown> {
  return {
    at: at.toISOString(),
    quick: m.quick,
    duration_s: round(m.durationSeconds, 1),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, mariadb: m.mariadbVersion },
    link: { delay_ms_each_way: m.link.delayMs, rate_mbit_each_way: m.link.rateMbit },
    backlog: {
      workload: 'sysbench oltp_write_only',
      tables: m.backlog.tables,
      table_size: m.backlog.tableSize,
      transactions: m.backlog.transactions,
      row_changes: m.backlog.rowChanges,
      binlog_bytes: m.backlog.binlogBytes,
      binlog_bytes_per_row_change: round(m.backlog.binlogBytes / m.backlog.rowChanges, 1),
      write_s: round(m.backlog.writeSeconds, 1),
    },
    paths: Object.fromEntries(m.paths.map((path) => [path.key, pathJson(m, path)])),
    targets: checkTargets(m),
  };
}
