import { cpus, totalmem } from 'node:os';
import type { FerryCopy } from './ferry-initial-copy.ts';
import type { FullSyncMeasurements } from './run-full-sync-bench.ts';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const ratio = (a: number, b: number): number => round(a / b, 3);

/** The targets: Ferry's copy at least as fast as mariadb-dump | mariadb; verify at least half CHECKSUM TABLE's speed. */
export const TARGETS = { copyRatio: 1.0, verifyRatio: 0.5 } as const;

function copyJson(copy: FerryCopy): Record<string, unknown> {
  return {
    status: copy.status,
    seconds: copy.seconds === null ? null : round(copy.seconds, 2),
    rows_per_s: copy.rowsPerSecond,
    verify_exit: copy.verifyExit,
    identical: copy.identical,
    seconds_to_identical_after_load: copy.secondsToIdentical === null ? null : round(copy.secondsToIdentical, 2),
    load: copy.load === null ? null : { transactions: copy.load.transactions, row_changes: copy.load.rowChanges, seconds: round(copy.load.seconds, 2), achieved_rows_per_s: copy.load.achievedRowsPerSecond },
    peak_rss_mb: copy.peakRssMb,
    reason: copy.reason,
  };
}

/**
 * bench/results/full-sync-latest.json. Ratios follow the issue: copy = Ferry's rows/s over
 * mariadb-dump | mariadb's (>= 1.0 wanted), verify = CHECKSUM TABLE's seconds over verify's
 * (>= 0.5 wanted); null where Ferry's copy was not measured.
 */
export function fullSyncResultsJson(m: FullSyncMeasurements): Record<string, unknown> {
  const v = m.verify;
  const measured = m.ferryIdle.status === 'measured' && m.ferryIdle.rowsPerSecond !== null;
  // Judged unrounded: 0.9996 is not 1.0.
  const copyRatio = measured ? m.ferryIdle.rowsPerSecond! / m.dump.rowsPerSecond : null;
  const verifyRatio = v.checksumConcurrentSeconds / v.verifySeconds;
  return {
    benchmark: 'full-sync',
    rows: m.rows,
    table: 'id INT PRIMARY KEY, name VARCHAR(40), qty INT, at DATETIME(6), price DECIMAL(10,2); about 100 B a row',
    verify: {
      checksum_table_both_concurrent_s: round(v.checksumConcurrentSeconds, 3),
      checksum_table_both_sequential_s: round(v.checksumSequentialSeconds, 3),
      ferry_verify_s: round(v.verifySeconds, 3),
      ferry_verify_start_s: round(v.verifyStartSeconds, 3),
      ferry_verify_rows_per_s: Math.round(v.rows / v.verifySeconds),
      ratio_vs_concurrent: round(verifyRatio, 3),
      ratio_vs_sequential: ratio(v.checksumSequentialSeconds, v.verifySeconds),
      ratio_vs_concurrent_without_start: ratio(v.checksumConcurrentSeconds, v.verifySeconds - v.verifyStartSeconds),
      samples_s: Object.fromEntries(Object.entries(v.samples).map(([key, values]) => [key, values.map((s) => round(s, 3))])),
    },
    copy: {
      dump_mariadb: { seconds: round(m.dump.seconds, 2), rows_per_s: m.dump.rowsPerSecond },
      ferry_idle: copyJson(m.ferryIdle),
      ferry_under_load: { load_rows_per_s_asked: m.loadRowsPerSecond, ...copyJson(m.ferryUnderLoad) },
      ratio_vs_dump: copyRatio === null ? null : round(copyRatio, 3),
    },
    targets: {
      copy_ratio_min: TARGETS.copyRatio,
      copy_met: copyRatio === null ? null : copyRatio >= TARGETS.copyRatio,
      copy_under_load_identical: m.ferryUnderLoad.status === 'not_measured' ? null : m.ferryUnderLoad.identical === true,
      verify_ratio_min: TARGETS.verifyRatio,
      verify_met: verifyRatio >= TARGETS.verifyRatio,
    },
    fill_s: round(m.fillSeconds, 2),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, mariadb: m.mariadbVersion },
    quick: m.quick,
    duration_s: round(m.durationSeconds, 1),
  };
}
