import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ApplyLimits } from './apply-limit.ts';
import type { WrittenScenario } from './backlogs.ts';
import { CLOCK_TICKS_PER_S, microsPerRow, totalCpuSeconds, type CpuUse } from './cpu-usage.ts';
import type { DecodeLimit } from './decode-limit.ts';
import type { FerryCatchUp } from './ferry-catch-up.ts';
import type { LagFigures } from './lag.ts';
import type { NativeCatchUp } from './native-replica.ts';
import type { ReplayLimit } from './replay-limit.ts';
import { totalRowChanges } from './segment-clock.ts';

/** Everything one run measured, before it becomes bench/results/latest.json. */
export interface Measurements {
  quick: boolean;
  startedAt: number;
  mariadbVersion: string;
  scenarios: WrittenScenario[];
  nativeSingle: NativeCatchUp;
  nativeParallel: NativeCatchUp;
  /** bin/ferry run with the default binlogReplay (auto): the ratios, lag and memory are its. */
  ferry: FerryCatchUp;
  /** bin/ferry run with binlogReplay: off (SQL), into a fresh target. */
  ferrySql: FerryCatchUp;
  decode: DecodeLimit;
  apply: ApplyLimits;
  /** The captured backlog's row events replayed in BINLOG statements, 1 connection. */
  replay: ReplayLimit;
  /** Rate asked (rows/s) to path ('ferry', 'native_single') to figures. */
  lag: Record<string, Record<string, LagFigures>>;
  /** Peak over the whole process: catch-up and lag phases. */
  ferryPeakRssMb: number;
  /** Peak when the catch-up ended, before the lag phase. */
  ferryCatchUpRssMb: number;
  /** Peak of the SQL path's process (catch-up only). */
  ferrySqlPeakRssMb: number;
}

const ratio = (a: number, b: number): number => Number((a / b).toFixed(3));
const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** One measured path's CPU, under its key in the JSON and its label in the report. */
export interface CpuPath {
  key: string;
  label: string;
  use: CpuUse;
}

/** Every path whose CPU was measured, in the order they ran (Ferry's from 'pipeline starting'). */
export function cpuPaths(m: Measurements): CpuPath[] {
  return [
    { key: 'native_single', label: 'native replica, 1 SQL thread', use: m.nativeSingle.cpu },
    { key: 'native_parallel', label: 'native replica, 4 threads optimistic', use: m.nativeParallel.cpu },
    { key: 'zongji_decode', label: 'zongji decode alone', use: m.decode.cpu },
    { key: 'ferry_sql', label: 'bin/ferry run, binlogReplay off (SQL)', use: m.ferrySql.cpu },
    { key: 'ferry', label: 'bin/ferry run, binlogReplay auto', use: m.ferry.cpu },
    { key: 'mysql2_apply_narrow_1_connection', label: 'mysql2 apply alone, narrow, 1 connection', use: m.apply.cpu.narrowOneConnection },
    { key: 'mysql2_apply_narrow_4_connections', label: 'mysql2 apply alone, narrow, 4 connections', use: m.apply.cpu.narrowFourConnections },
    { key: 'mysql2_apply_wide_1_connection', label: 'mysql2 apply alone, wide, 1 connection', use: m.apply.cpu.wideOneConnection },
    { key: 'mysql2_prepared_narrow_1_connection', label: 'mysql2 prepared alone, narrow, 1 conn.', use: m.apply.cpu.narrowPreparedOneConnection },
    { key: 'replay_alone', label: 'BINLOG replay alone, 1 connection', use: m.replay.cpu },
  ];
}

/** Per process and in total: CPU seconds, microseconds of CPU per row change, cores used. */
function cpuJson(use: CpuUse): Record<string, unknown> {
  const seconds = { ...use.seconds, total: totalCpuSeconds(use) };
  const each = (f: (cpuSeconds: number) => number): Record<string, number> => Object.fromEntries(Object.entries(seconds).map(([name, s]) => [name, f(s)]));
  return {
    rows: use.rows,
    wall_s: round(use.wallSeconds, 2),
    cpu_s: each((s) => round(s, 2)),
    us_per_row: each((s) => round(microsPerRow(s, use.rows), 1)),
    cores_used: each((s) => round(s / use.wallSeconds, 2)),
  };
}

function lagOf(lag: Measurements['lag'], path: string): Record<string, LagFigures> {
  return Object.fromEntries(Object.entries(lag).flatMap(([rate, byPath]) => (byPath[path] ? [[rate, byPath[path]]] : [])));
}

/**
 * The JSON of a run. Ferry's rows/s and the ratios count from Ferry's 'pipeline starting'
 * log line (process start-up excluded); `ferry_rows_per_s_incl_start` counts from spawn.
 * `ferry_*` and `ratio_*` are the default path's (binlogReplay auto); `ferry_sql_*` and
 * `ratio_sql_*` the SQL path's (binlogReplay off), in the same run.
 */
export function resultsJson(m: Measurements): Record<string, unknown> {
  const scenarios = Object.fromEntries(
    m.scenarios.map((s) => [
      s.key,
      {
        label: s.label,
        row_changes: s.rowChanges,
        transactions: s.transactions,
        native_single_rows_per_s: m.nativeSingle.byScenario[s.key],
        native_parallel_rows_per_s: m.nativeParallel.byScenario[s.key],
        ferry_rows_per_s: m.ferry.fromReady.byScenario[s.key],
        ferry_sql_rows_per_s: m.ferrySql.fromReady.byScenario[s.key],
        zongji_decode_rows_per_s: m.decode.byScenario[s.key],
        replay_alone_rows_per_s: m.replay.byScenario[s.key],
        ratio_vs_native_single: ratio(m.ferry.fromReady.byScenario[s.key]!, m.nativeSingle.byScenario[s.key]!),
        ratio_vs_native_parallel: ratio(m.ferry.fromReady.byScenario[s.key]!, m.nativeParallel.byScenario[s.key]!),
        ratio_sql_vs_native_single: ratio(m.ferrySql.fromReady.byScenario[s.key]!, m.nativeSingle.byScenario[s.key]!),
        ratio_sql_vs_native_parallel: ratio(m.ferrySql.fromReady.byScenario[s.key]!, m.nativeParallel.byScenario[s.key]!),
      },
    ]),
  );
  return {
    at: new Date().toISOString(),
    quick: m.quick,
    duration_s: Math.round((performance.now() - m.startedAt) / 100) / 10,
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, mariadb: m.mariadbVersion },
    total_row_changes: totalRowChanges(m.scenarios),
    ratio_vs_native_single: ratio(m.ferry.fromReady.rowsPerSecond, m.nativeSingle.rowsPerSecond),
    ratio_vs_native_parallel: ratio(m.ferry.fromReady.rowsPerSecond, m.nativeParallel.rowsPerSecond),
    ratio_sql_vs_native_single: ratio(m.ferrySql.fromReady.rowsPerSecond, m.nativeSingle.rowsPerSecond),
    ratio_sql_vs_native_parallel: ratio(m.ferrySql.fromReady.rowsPerSecond, m.nativeParallel.rowsPerSecond),
    native_single_rows_per_s: m.nativeSingle.rowsPerSecond,
    native_parallel_rows_per_s: m.nativeParallel.rowsPerSecond,
    ferry_rows_per_s: m.ferry.fromReady.rowsPerSecond,
    ferry_rows_per_s_incl_start: m.ferry.inclStart.rowsPerSecond,
    ferry_start_s: Number(m.ferry.startSeconds.toFixed(2)),
    ferry_sql_rows_per_s: m.ferrySql.fromReady.rowsPerSecond,
    ferry_sql_rows_per_s_incl_start: m.ferrySql.inclStart.rowsPerSecond,
    ferry_sql_start_s: Number(m.ferrySql.startSeconds.toFixed(2)),
    scenarios,
    zongji_decode_rows_per_s: m.decode.rowsPerSecond,
    mysql2_apply_rows_per_s: m.apply.narrowOneConnection,
    mysql2_apply_4_connections_rows_per_s: m.apply.narrowFourConnections,
    mysql2_apply_wide_rows_per_s: m.apply.wideOneConnection,
    mysql2_prepared_rows_per_s: m.apply.narrowPreparedOneConnection,
    replay_alone_rows_per_s: m.replay.rowsPerSecond,
    replay_alone: { rows: m.replay.rows, transactions: m.replay.transactions, statements: m.replay.statements, captured_by: m.replay.capturedBy },
    lag_method: 'gtid_visibility',
    lag_ms: lagOf(m.lag, 'ferry'),
    native_lag_ms: lagOf(m.lag, 'native_single'),
    ferry_peak_rss_mb: m.ferryPeakRssMb,
    ferry_peak_rss_mb_at_catch_up_end: m.ferryCatchUpRssMb,
    ferry_sql_peak_rss_mb: m.ferrySqlPeakRssMb,
    cpu: {
      clock_ticks_per_s: CLOCK_TICKS_PER_S,
      ...Object.fromEntries(cpuPaths(m).map((path) => [path.key, cpuJson(path.use)])),
      ferry_start_cpu_s: round(m.ferry.startCpuSeconds, 2),
      ferry_sql_start_cpu_s: round(m.ferrySql.startCpuSeconds, 2),
    },
  };
}

/** Writes a run's JSON under bench/results (the WAN benchmark's as wan-latest.json). */
export function writeLatest(json: Record<string, unknown>, name = 'latest.json'): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}
