import type { FerryCopy } from './ferry-initial-copy.ts';
import { TARGETS } from './full-sync-results.ts';
import type { FullSyncMeasurements } from './run-full-sync-bench.ts';

const num = (value: number): string => Math.round(value).toLocaleString('en-US');

function copyLine(label: string, copy: FerryCopy): string {
  if (copy.status !== 'measured' || copy.seconds === null) return `${label}: ${copy.status.replace('_', ' ')} (${copy.reason?.split('\n')[0] ?? 'no reason'})`;
  const load = copy.load ? `; load ${num(copy.load.achievedRowsPerSecond)} row changes/s, identical ${copy.secondsToIdentical?.toFixed(1)} s after it stopped` : '';
  return `${label}: ${copy.seconds.toFixed(1)} s, ${num(copy.rowsPerSecond!)} rows/s, verify exit ${copy.verifyExit}${load}`;
}

/** The run as plain text: verify against CHECKSUM TABLE, the copies, the targets. */
export function fullSyncReportLines(m: FullSyncMeasurements): string[] {
  const v = m.verify;
  const verifyRatio = v.checksumConcurrentSeconds / v.verifySeconds;
  const lines = [
    '',
    `Full sync and verify, ${num(m.rows)} narrow rows`,
    `verify (median of 3):  CHECKSUM TABLE on both servers at once ${v.checksumConcurrentSeconds.toFixed(3)} s, one after the other ${v.checksumSequentialSeconds.toFixed(3)} s;`,
    `  bin/ferry verify ${v.verifySeconds.toFixed(3)} s (${num(m.rows / v.verifySeconds)} rows/s; its process start alone ${v.verifyStartSeconds.toFixed(3)} s)`,
    `  ratio ${verifyRatio.toFixed(3)} against both at once, ${(v.checksumSequentialSeconds / v.verifySeconds).toFixed(3)} one after the other (target >= ${TARGETS.verifyRatio}: ${verifyRatio >= TARGETS.verifyRatio ? 'met' : 'not met'})`,
    `copy:  mariadb-dump | mariadb ${m.dump.seconds.toFixed(1)} s, ${num(m.dump.rowsPerSecond)} rows/s`,
    `  ${copyLine('bin/ferry run --initial-copy, source idle', m.ferryIdle)}`,
    `  ${copyLine(`the same under ${num(m.loadRowsPerSecond)} row changes/s`, m.ferryUnderLoad)}`,
  ];
  if (m.ferryIdle.rowsPerSecond !== null && m.ferryIdle.status === 'measured') {
    const copyRatio = m.ferryIdle.rowsPerSecond / m.dump.rowsPerSecond;
    lines.push(`  ratio ${copyRatio.toFixed(3)} (target >= ${TARGETS.copyRatio}: ${copyRatio >= TARGETS.copyRatio ? 'met' : 'not met'})`);
  }
  lines.push(`run ${m.durationSeconds.toFixed(0)} s (filling both servers ${m.fillSeconds.toFixed(1)} s)`);
  return lines;
}
