import { describe, expect, it } from 'vitest';
import type { FerryCopy } from '../../../bench/ferry-initial-copy.ts';
import { fullSyncReportLines } from '../../../bench/full-sync-report.ts';
import { fullSyncResultsJson } from '../../../bench/full-sync-results.ts';
import type { FullSyncMeasurements } from '../../../bench/run-full-sync-bench.ts';

// The full-sync benchmark's result shaping (bench/run-full-sync-bench.ts measures; these shape and judge).
const notMeasured: FerryCopy = { status: 'not_measured', seconds: null, rowsPerSecond: null, verifyExit: null, identical: null, secondsToIdentical: null, load: null, peakRssMb: null, reason: "bin/ferry run exited 2: ferry: FERRY_ERR_CLI_USAGE: unknown option '--initial-copy'" };

function measurements(ferryIdle: FerryCopy = notMeasured, ferryUnderLoad: FerryCopy = notMeasured): FullSyncMeasurements {
  return {
    quick: false, rows: 1_000_000, mariadbVersion: '10.11.19', durationSeconds: 60, fillSeconds: 3, loadRowsPerSecond: 1000,
    verify: { rows: 1_000_000, checksumConcurrentSeconds: 0.5, checksumSequentialSeconds: 0.9, verifySeconds: 1, verifyStartSeconds: 0.5, samples: { checksumConcurrent: [0.5], checksumSequential: [0.9], verify: [1], verifyStart: [0.5] } },
    dump: { seconds: 10, rowsPerSecond: 100_000 },
    ferryIdle, ferryUnderLoad,
  };
}

describe('full-sync benchmark results', () => {
  it('reports the copy as not measured (nulls, the reason) while bin/ferry run has no --initial-copy, and judges verify at the limit exactly', () => {
    const json = fullSyncResultsJson(measurements()) as { copy: Record<string, Record<string, unknown>>; verify: Record<string, number>; targets: Record<string, unknown> };
    expect(json.copy.ferry_idle).toMatchObject({ status: 'not_measured', seconds: null, rows_per_s: null, identical: null });
    expect(json.copy.ratio_vs_dump).toBeNull();
    expect(json.verify).toMatchObject({ ratio_vs_concurrent: 0.5, ratio_vs_sequential: 0.9, ratio_vs_concurrent_without_start: 1 });
    expect(json.targets).toMatchObject({ copy_met: null, copy_under_load_identical: null, verify_met: true });
    expect(fullSyncReportLines(measurements()).join('\n')).toContain('bin/ferry run --initial-copy, source idle: not measured (bin/ferry run exited 2');
  });

  it("judges Ferry's copy against mariadb-dump | mariadb, and the copy under load by whether it ended identical", () => {
    const load = { transactions: 500, rowChanges: 2000, seconds: 2, achievedRowsPerSecond: 1000 };
    const idle: FerryCopy = { ...notMeasured, status: 'measured', seconds: 10, rowsPerSecond: 100_000, verifyExit: 0, identical: true, reason: null };
    const differs: FerryCopy = { ...idle, status: 'failed', verifyExit: 1, identical: false, load, reason: 'bin/ferry verify exited 1 after the copy' };
    const json = fullSyncResultsJson(measurements(idle, differs)) as { copy: Record<string, unknown>; targets: Record<string, unknown> };
    expect(json.copy.ratio_vs_dump).toBe(1);
    expect(json.targets).toMatchObject({ copy_met: true, copy_under_load_identical: false });
    const slower = fullSyncResultsJson(measurements({ ...idle, rowsPerSecond: 99_999 })) as { targets: Record<string, unknown> };
    expect(slower.targets.copy_met).toBe(false);
  });
});
