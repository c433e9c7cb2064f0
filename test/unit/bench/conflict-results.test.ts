import { describe, expect, it } from 'vitest';
import type { WrittenScenario } from '../../../bench/backlogs.ts';
import { PROCESS } from '../../../bench/cpu-usage.ts';
import { conflictReportLines } from '../../../bench/conflict-report.ts';
import { conflictResultsJson, median, type ConflictMeasurements } from '../../../bench/conflict-results.ts';
import type { ConflictRun } from '../../../bench/conflict-run.ts';

// The conflict benchmark's result shaping (bench/run-conflict-bench.ts measures; these shape and judge).
const scenario = (key: string, rowChanges: number): WrittenScenario => ({ key, label: key, rowChanges, transactions: rowChanges / 100, fromGtid: '0-1-1', toGtid: '0-1-2', writeSeconds: 1 });
const inserts = scenario('narrow_insert', 100_000);
const updates = scenario('narrow_update_delete', 100_000);
const scenarios = [inserts, updates];

/** A run of 200,000 row changes: `perScenario` rows/s in each of the two scenarios, `ferryCpu` and `targetCpu` CPU seconds. */
function run(detect: boolean, perScenario: [number, number], ferryCpu: number, targetCpu: number, conflicts: number | null): ConflictRun {
  const seconds = 100_000 / perScenario[0] + 100_000 / perScenario[1];
  const fromReady = { seconds, rowsPerSecond: Math.round(200_000 / seconds), byScenario: { narrow_insert: perScenario[0], narrow_update_delete: perScenario[1] } };
  return {
    detect,
    catchUp: { fromReady, inclStart: fromReady, startSeconds: 1, startCpuSeconds: 1, cpu: { rows: 200_000, wallSeconds: seconds, seconds: { [PROCESS.ferry]: ferryCpu, [PROCESS.target]: targetCpu, [PROCESS.primary]: 0.1 } } },
    conflicts,
    peakRssMb: 100,
  };
}

/** The fields of conflicts-latest.json the tests read. */
interface Results {
  off: Record<string, unknown>;
  on: Record<string, unknown>;
  ratio_on_vs_off: number;
  pair_ratios: number[];
  cost_per_row_us: Record<string, number>;
  by_scenario: Record<string, Record<string, number>>;
  false_conflicts: number | null;
  detection_active: boolean | null;
  changed_target: Record<string, unknown> | null;
  runs: Array<{ detect: boolean }>;
}
const results = (m: ConflictMeasurements): Results => conflictResultsJson(m) as unknown as Results;

function measurements(runs: ConflictRun[], changed: ConflictMeasurements['changed'] = null): ConflictMeasurements {
  return { quick: true, mariadbVersion: '10.11.19', durationSeconds: 60, scenarios, runs, changed, parallel: 4 };
}

describe('conflict benchmark results', () => {
  it('takes the median of each mode and reports the cost per row change as on minus off, in wall and CPU µs', () => {
    // Off: 100k rows/s; on: 80k (the median of 70k, 80k, 90k), so 12.5 - 10 = 2.5 µs of wall time a row.
    const runs = [
      run(false, [100_000, 100_000], 1.0, 2.0, null), run(true, [70_000, 70_000], 1.6, 2.6, 0),
      run(false, [100_000, 100_000], 1.2, 2.0, null), run(true, [80_000, 80_000], 1.4, 2.4, 0),
      run(false, [100_000, 100_000], 0.8, 2.0, null), run(true, [90_000, 90_000], 1.2, 2.2, 0),
    ];
    const json = results(measurements(runs));
    expect(json.off).toMatchObject({ rows_per_s: 100_000, ferry_cpu_us_per_row: 5, target_cpu_us_per_row: 10 });
    expect(json.on).toMatchObject({ rows_per_s: 80_000, ferry_cpu_us_per_row: 7, target_cpu_us_per_row: 12 });
    expect(json.ratio_on_vs_off).toBe(0.8);
    expect(json.pair_ratios).toEqual([0.7, 0.8, 0.9]);
    expect(json.cost_per_row_us).toEqual({ wall: 2.5, ferry_cpu: 2, target_cpu: 2 });
    expect(json.by_scenario.narrow_update_delete).toEqual({ off_rows_per_s: 100_000, on_rows_per_s: 80_000, ratio: 0.8, wall_us_per_row: 2.5 });
    expect(json.false_conflicts).toBe(0);
    expect(json.detection_active).toBeNull();
    expect(json.runs.map((r) => r.detect)).toEqual([false, true, false, true, false, true]);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    // Medians of two runs are whole rows/s, as every other rate in the results.
    const halves = results(measurements([run(false, [1000, 1000], 1, 1, null), run(true, [1000, 1000], 1, 1, 0), run(false, [1001, 1001], 1, 1, null), run(true, [1000, 1000], 1, 1, 0)]));
    expect(halves.off).toMatchObject({ by_scenario: { narrow_insert: 1001, narrow_update_delete: 1001 } });
  });

  it('says when there was no conflicts table to count in, and flags conflicts on an untouched target as false', () => {
    const inactive = conflictResultsJson(measurements([run(false, [1000, 1000], 1, 1, null), run(true, [1000, 1000], 1, 1, null)]));
    expect(inactive).toMatchObject({ false_conflicts: null });
    expect(conflictReportLines(inactive).join('\n')).toContain('no conflicts table (a Ferry without detection');
    const wrong = conflictResultsJson(measurements([run(false, [1000, 1000], 1, 1, null), run(true, [1000, 1000], 1, 1, 3), run(false, [1000, 1000], 1, 1, null), run(true, [1000, 1000], 1, 1, 2)]));
    expect(wrong.false_conflicts).toBe(5);
    expect(conflictReportLines(wrong).join('\n')).toContain('FALSE CONFLICTS: 5 recorded on an untouched target');
  });

  it("counts the changed target's conflicts per second over the updates scenario, compares it with the untouched runs over the same scenarios, and flags a count other than one per changed row", () => {
    const untouchedOn = run(true, [80_000, 50_000], 1, 1, 0);
    // (b) alone at 40,000 rows/s: 2.5 s for 100,000 row changes, 5,000 conflicts in it.
    const changedRun = run(true, [80_000, 40_000], 1, 1, 5000);
    const changedOnly: ConflictRun = { ...changedRun, catchUp: { ...changedRun.catchUp, fromReady: { seconds: 2.5, rowsPerSecond: 40_000, byScenario: { narrow_update_delete: 40_000 } } } };
    const m = measurements([run(false, [100_000, 100_000], 1, 1, null), untouchedOn], { percent: 5, rowsChanged: 5000, scenarios: [updates], run: changedOnly });
    const json = results(m);
    expect(json.changed_target).toMatchObject({ rows_changed: 5000, expected_conflicts: 5000, recorded_conflicts: 5000, rows_per_s: 40_000, untouched_on_rows_per_s: 50_000, updates_rows_per_s: 40_000, untouched_on_updates_rows_per_s: 50_000, conflicts_per_s: 2000 });
    expect(json.changed_target).toMatchObject({ as_expected: true });
    expect(json.detection_active).toBe(true);
    expect(conflictReportLines(conflictResultsJson(m)).join('\n')).toContain('5,000 conflicts recorded of 5,000 expected, 2,000 conflicts/s during (b)');
    const short = { ...m, changed: { ...m.changed!, run: { ...changedOnly, conflicts: 4999 } } };
    expect(results(short).changed_target).toMatchObject({ as_expected: false });
    const none = { ...m, changed: { ...m.changed!, run: { ...changedOnly, conflicts: 0 } } };
    expect(results(none).detection_active).toBe(false);
    expect(conflictReportLines(conflictResultsJson(none)).join('\n')).toContain('NO CONFLICT FOUND on the changed target');
    expect(conflictReportLines(conflictResultsJson(short)).join('\n')).toContain('CONFLICT COUNT WRONG on the changed target: 4,999 recorded, 5,000 rows changed');
  });
});
