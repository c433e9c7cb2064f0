import { cpus, totalmem } from 'node:os';
import type { WrittenScenario } from './backlogs.ts';
import { PROCESS, microsPerRow, type CpuUse } from './cpu-usage.ts';
import type { ConflictRun } from './conflict-run.ts';
import { totalRowChanges } from './segment-clock.ts';

/** The changed-target run: the target altered behind Ferry's back on `percent`% of the rows scenario (b) updates, detection on. */
export interface ChangedTargetRun {
  percent: number;
  rowsChanged: number;
  /** The scenarios it caught up: (b) onwards (the target already held (a)'s rows). */
  scenarios: WrittenScenario[];
  run: ConflictRun;
}

/** Everything a conflict benchmark run measured, before it becomes bench/results/conflicts-latest.json. */
export interface ConflictMeasurements {
  quick: boolean;
  mariadbVersion: string;
  durationSeconds: number;
  scenarios: WrittenScenario[];
  /** In the order they ran: off, on, off, on, ... */
  runs: ConflictRun[];
  changed: ChangedTargetRun | null;
  /** Apply connections of every run. */
  parallel: number;
}

/** The scenario of updates and deletes by key: the changed target's conflicts all fall in it. */
export const UPDATE_SCENARIO = 'narrow_update_delete';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const cpuOf = (use: CpuUse, process: string): number => use.seconds[process] ?? 0;

/** Seconds a run spent on the given scenarios, from its per-scenario rates. */
function secondsOn(run: ConflictRun, scenarios: WrittenScenario[]): number {
  return scenarios.reduce((sum, s) => sum + s.rowChanges / run.catchUp.fromReady.byScenario[s.key]!, 0);
}

function runJson(run: ConflictRun, order: number): Record<string, unknown> {
  const { fromReady, cpu } = run.catchUp;
  return {
    order,
    detect: run.detect,
    seconds: round(fromReady.seconds, 3),
    rows_per_s: fromReady.rowsPerSecond,
    by_scenario: fromReady.byScenario,
    ferry_cpu_s: round(cpuOf(cpu, PROCESS.ferry), 2),
    target_cpu_s: round(cpuOf(cpu, PROCESS.target), 2),
    ferry_cpu_us_per_row: round(microsPerRow(cpuOf(cpu, PROCESS.ferry), cpu.rows), 2),
    target_cpu_us_per_row: round(microsPerRow(cpuOf(cpu, PROCESS.target), cpu.rows), 2),
    conflicts: run.conflicts,
    peak_rss_mb: run.peakRssMb,
  };
}

/** The medians of one mode's runs: rows/s overall and per scenario, CPU µs per row change of Ferry and of the target's server. */
function modeSummary(runs: ConflictRun[], scenarios: WrittenScenario[]): { rowsPerSecond: number; byScenario: Record<string, number>; ferryUs: number; targetUs: number } {
  const perRow = (process: string) => median(runs.map((r) => microsPerRow(cpuOf(r.catchUp.cpu, process), r.catchUp.cpu.rows)));
  return {
    rowsPerSecond: median(runs.map((r) => r.catchUp.fromReady.rowsPerSecond)),
    byScenario: Object.fromEntries(scenarios.map((s) => [s.key, Math.round(median(runs.map((r) => r.catchUp.fromReady.byScenario[s.key]!)))])),
    ferryUs: perRow(PROCESS.ferry),
    targetUs: perRow(PROCESS.target),
  };
}

/** Microseconds of wall time per row change that going from `off` to `on` rows/s adds. */
const wallCostUs = (off: number, on: number): number => 1e6 / on - 1e6 / off;

/**
 * bench/results/conflicts-latest.json. Each mode's figure is the median of its runs; the cost
 * per row is on minus off, in wall and CPU µs. Conflicts recorded on an untouched target are
 * false conflicts (a bug): `false_conflicts` counts them, null when no run had a conflicts
 * table to count in (a Ferry without detection).
 */
export function conflictResultsJson(m: ConflictMeasurements): Record<string, unknown> {
  const offRuns = m.runs.filter((r) => !r.detect);
  const onRuns = m.runs.filter((r) => r.detect);
  if (offRuns.length === 0 || onRuns.length === 0) throw new Error('the conflict benchmark needs runs with detection off and on');
  const off = modeSummary(offRuns, m.scenarios);
  const on = modeSummary(onRuns, m.scenarios);
  const counted = onRuns.map((r) => r.conflicts).filter((n): n is number => n !== null);
  const pairs = offRuns.map((r, i) => (onRuns[i] ? round(onRuns[i].catchUp.fromReady.rowsPerSecond / r.catchUp.fromReady.rowsPerSecond, 3) : null)).filter((r) => r !== null);
  return {
    benchmark: 'conflicts',
    // Load creates its conflicts table whether it detects or not: only conflicts found on the changed target show that detection ran.
    detection_active: m.changed === null || m.changed.run.conflicts === null ? null : m.changed.run.conflicts > 0,
    parallel: m.parallel,
    row_changes: totalRowChanges(m.scenarios),
    scenarios: m.scenarios.map((s) => ({ key: s.key, label: s.label, row_changes: s.rowChanges, transactions: s.transactions })),
    off: { rows_per_s: Math.round(off.rowsPerSecond), ferry_cpu_us_per_row: round(off.ferryUs, 2), target_cpu_us_per_row: round(off.targetUs, 2), by_scenario: off.byScenario },
    on: { rows_per_s: Math.round(on.rowsPerSecond), ferry_cpu_us_per_row: round(on.ferryUs, 2), target_cpu_us_per_row: round(on.targetUs, 2), by_scenario: on.byScenario },
    ratio_on_vs_off: round(on.rowsPerSecond / off.rowsPerSecond, 3),
    pair_ratios: pairs,
    cost_per_row_us: {
      wall: round(wallCostUs(off.rowsPerSecond, on.rowsPerSecond), 2),
      ferry_cpu: round(on.ferryUs - off.ferryUs, 2),
      target_cpu: round(on.targetUs - off.targetUs, 2),
    },
    by_scenario: Object.fromEntries(
      m.scenarios.map((s) => {
        const [a, b] = [off.byScenario[s.key]!, on.byScenario[s.key]!];
        return [s.key, { off_rows_per_s: a, on_rows_per_s: b, ratio: round(b / a, 3), wall_us_per_row: round(wallCostUs(a, b), 2) }];
      }),
    ),
    false_conflicts: counted.length > 0 ? counted.reduce((sum, n) => sum + n, 0) : null,
    changed_target: m.changed === null ? null : changedJson(m.changed, onRuns),
    runs: m.runs.map((r, i) => runJson(r, i + 1)),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, mariadb: m.mariadbVersion },
    quick: m.quick,
    duration_s: round(m.durationSeconds, 1),
  };
}

/** The changed target against the untouched target's runs with detection on, over the same scenarios. */
function changedJson(c: ChangedTargetRun, untouchedOn: ConflictRun[]): Record<string, unknown> {
  const rows = totalRowChanges(c.scenarios);
  const updates = c.scenarios.find((s) => s.key === UPDATE_SCENARIO);
  const updateSeconds = updates ? secondsOn(c.run, [updates]) : null;
  return {
    percent_of_updated_rows: c.percent,
    rows_changed: c.rowsChanged,
    expected_conflicts: c.rowsChanged,
    recorded_conflicts: c.run.conflicts,
    // One conflict per changed row (conflict-target.ts): any other count is a detection bug.
    as_expected: c.run.conflicts === null ? null : c.run.conflicts === c.rowsChanged,
    row_changes: rows,
    rows_per_s: c.run.catchUp.fromReady.rowsPerSecond,
    untouched_on_rows_per_s: Math.round(median(untouchedOn.map((r) => rows / secondsOn(r, c.scenarios)))),
    updates_rows_per_s: updates ? c.run.catchUp.fromReady.byScenario[updates.key] : null,
    untouched_on_updates_rows_per_s: updates ? Math.round(median(untouchedOn.map((r) => r.catchUp.fromReady.byScenario[updates.key]!))) : null,
    conflicts_per_s: updateSeconds === null || c.run.conflicts === null ? null : Math.round(c.run.conflicts / updateSeconds),
    ferry_cpu_us_per_row: round(microsPerRow(cpuOf(c.run.catchUp.cpu, PROCESS.ferry), c.run.catchUp.cpu.rows), 2),
    target_cpu_us_per_row: round(microsPerRow(cpuOf(c.run.catchUp.cpu, PROCESS.target), c.run.catchUp.cpu.rows), 2),
  };
}
