import { PROCESS, microsPerRow, totalCpuSeconds, type CpuUse } from './cpu-usage.ts';
import { cpuPaths, type Measurements } from './results.ts';
import { totalRowChanges } from './segment-clock.ts';

const num = (value: number | undefined): string => (value === undefined ? '-' : Math.round(value).toLocaleString('en-US'));
const row = (cells: string[], widths: number[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');

/** Report columns: CPU seconds of each process, '-' where a path has no such process. The copy's server is the replica's or the target's. */
const CPU_COLUMNS: Array<(use: CpuUse) => number | undefined> = [
  (use) => use.seconds[PROCESS.primary],
  (use) => use.seconds[PROCESS.replica] ?? use.seconds[PROCESS.target],
  (use) => use.seconds[PROCESS.ferry],
  (use) => use.seconds[PROCESS.bench],
  totalCpuSeconds,
];
const CPU_HEADERS = ['primary', 'replica/target', 'ferry', 'bench', 'total'];

function printCpu(m: Measurements, out: (line: string) => void): void {
  const widths = [42, 8, 6, 8, 14, 12, 12, 12, 6];
  const cells = (use: CpuUse, f: (cpuSeconds: number) => string): string[] => CPU_COLUMNS.map((column) => column(use)).map((s) => (s === undefined ? '-' : f(s)));
  out('CPU per row change, µs (user + system, from /proc/<pid>/stat; cores = CPU seconds of all listed processes / wall seconds)');
  out(row(['path', 'rows', 'wall s', ...CPU_HEADERS, 'cores'], widths));
  for (const { label, use } of cpuPaths(m)) {
    out(row([label, num(use.rows), use.wallSeconds.toFixed(2), ...cells(use, (s) => microsPerRow(s, use.rows).toFixed(1)), (totalCpuSeconds(use) / use.wallSeconds).toFixed(2)], widths));
  }
  out('');
  out('CPU seconds per process (cores used: CPU seconds / wall seconds)');
  out(row(['path', 'rows', 'wall s', ...CPU_HEADERS], widths.slice(0, -1)));
  for (const { label, use } of cpuPaths(m)) {
    out(row([label, num(use.rows), use.wallSeconds.toFixed(2), ...cells(use, (s) => `${s.toFixed(2)} (${(s / use.wallSeconds).toFixed(2)})`)], widths.slice(0, -1)));
  }
  out(`bin/ferry run from "pipeline starting"; its start-up before that took ${m.ferry.startCpuSeconds.toFixed(2)} CPU s in ${m.ferry.startSeconds.toFixed(2)} s (auto), ${m.ferrySql.startCpuSeconds.toFixed(2)} CPU s in ${m.ferrySql.startSeconds.toFixed(2)} s (SQL)`);
}

/** The run as a few plain-text tables: catch-up per scenario and path, raw limits, lag, memory. */
export function printReport(m: Measurements, json: Record<string, unknown>, out: (line: string) => void): void {
  const widths = [56, 9, 6, 10, 10, 10, 10, 10, 10, 7, 7];
  out('');
  out('Catch-up, rows/s (row changes per second; Ferry timed from its "pipeline starting" log line; ferry: binlogReplay auto, sql: off; zongji and replay: the raw limits below)');
  out(row(['scenario', 'changes', 'txns', 'native 1', 'native 4', 'ferry', 'ferry sql', 'zongji', 'replay', 'ferry/1', 'sql/1'], widths));
  for (const s of m.scenarios) {
    const ferry = m.ferry.fromReady.byScenario[s.key]!;
    const sql = m.ferrySql.fromReady.byScenario[s.key]!;
    const native = m.nativeSingle.byScenario[s.key]!;
    out(row([s.label, num(s.rowChanges), num(s.transactions), num(native), num(m.nativeParallel.byScenario[s.key]), num(ferry), num(sql), num(m.decode.byScenario[s.key]), num(m.replay.byScenario[s.key]), (ferry / native).toFixed(3), (sql / native).toFixed(3)], widths));
  }
  const txns = m.scenarios.reduce((sum, s) => sum + s.transactions, 0);
  out(
    row(
      ['all scenarios', num(totalRowChanges(m.scenarios)), num(txns), num(m.nativeSingle.rowsPerSecond), num(m.nativeParallel.rowsPerSecond), num(m.ferry.fromReady.rowsPerSecond), num(m.ferrySql.fromReady.rowsPerSecond), num(m.decode.rowsPerSecond), num(m.replay.rowsPerSecond), String(json.ratio_vs_native_single), String(json.ratio_sql_vs_native_single)],
      widths,
    ),
  );
  out('');
  out(`ratio_vs_native_single ${String(json.ratio_vs_native_single)}, ratio_vs_native_parallel ${String(json.ratio_vs_native_parallel)} (binlogReplay auto)`);
  out(`ratio_sql_vs_native_single ${String(json.ratio_sql_vs_native_single)}, ratio_sql_vs_native_parallel ${String(json.ratio_sql_vs_native_parallel)} (binlogReplay off)`);
  out(`bin/ferry run including its start-up: ${num(m.ferry.inclStart.rowsPerSecond)} rows/s (auto, ${m.ferry.startSeconds.toFixed(2)} s), ${num(m.ferrySql.inclStart.rowsPerSecond)} rows/s (SQL, ${m.ferrySql.startSeconds.toFixed(2)} s)`);
  out('');
  out('Raw limits, rows/s');
  out(`  zongji decode alone (Ferry's BinlogReader, no apply)                  ${num(m.decode.rowsPerSecond).padStart(9)}`);
  out(`  mysql2 500-row upserts, 1000-row txns, narrow, 1 connection          ${num(m.apply.narrowOneConnection).padStart(9)}`);
  out(`  mysql2 500-row upserts, 1000-row txns, narrow, 4 connections         ${num(m.apply.narrowFourConnections).padStart(9)}`);
  out(`  mysql2 500-row upserts, 1000-row txns, wide, 1 connection            ${num(m.apply.wideOneConnection).padStart(9)}`);
  out(`  mysql2 prepared 500-row upserts (binary protocol), narrow, 1 conn.   ${num(m.apply.narrowPreparedOneConnection).padStart(9)}`);
  out(`  BINLOG replay of the backlog's row events, 1000-row txns, 1 conn.    ${num(m.replay.rowsPerSecond).padStart(9)}  (events from ${m.replay.capturedBy})`);
  out('');
  printCpu(m, out);
  out('');
  out('Lag under a fixed write rate, ms (COMMIT returned on the primary to the first poll of the copy\'s GTID position that includes it; per 10-row transaction)');
  const lagWidths = [18, 10, 9, 9, 9, 9, 9, 9];
  out(row(['rate asked', 'achieved', 'ferry p50', 'p99', 'max', 'native p50', 'p99', 'max'], lagWidths));
  for (const [rate, byPath] of Object.entries(m.lag)) {
    const ferry = byPath.ferry!;
    const native = byPath.native_single;
    out(row([`${num(Number(rate))} rows/s`, num(ferry.achieved_rows_per_s), String(ferry.p50), String(ferry.p99), String(ferry.max), String(native?.p50 ?? '-'), String(native?.p99 ?? '-'), String(native?.max ?? '-')], lagWidths));
  }
  out('');
  const pollMs = Object.values(m.lag).flatMap((byPath) => Object.entries(byPath).map(([path, figures]) => `${path} ${figures.poll_ms ?? '-'}`));
  out(`mean time between polls, ms (the figures' resolution): ${pollMs.join(', ')}`);
  out('');
  out(`Ferry peak RSS (VmHWM) ${m.ferryPeakRssMb} MB (${m.ferryCatchUpRssMb} MB when the catch-up ended; SQL path's process ${m.ferrySqlPeakRssMb} MB)`);
  out(`${m.quick ? 'Quick run' : 'Full run'}, ${String(json.duration_s)} s including server start; MariaDB ${m.mariadbVersion}, Node ${process.version}`);
}
