/** The shape of bench/results/conflicts-latest.json that the report reads (conflict-results.ts writes it). */
interface Mode {
  rows_per_s: number;
  ferry_cpu_us_per_row: number;
  target_cpu_us_per_row: number;
}
interface ScenarioFigures {
  off_rows_per_s: number;
  on_rows_per_s: number;
  ratio: number;
  wall_us_per_row: number;
}
interface Changed {
  percent_of_updated_rows: number;
  rows_changed: number;
  recorded_conflicts: number | null;
  as_expected: boolean | null;
  rows_per_s: number;
  untouched_on_rows_per_s: number;
  updates_rows_per_s: number | null;
  untouched_on_updates_rows_per_s: number | null;
  conflicts_per_s: number | null;
}
interface Results {
  detection_active: boolean | null;
  parallel: number;
  row_changes: number;
  scenarios: Array<{ key: string; label: string }>;
  off: Mode;
  on: Mode;
  ratio_on_vs_off: number;
  pair_ratios: number[];
  cost_per_row_us: { wall: number; ferry_cpu: number; target_cpu: number };
  by_scenario: Record<string, ScenarioFigures>;
  false_conflicts: number | null;
  changed_target: Changed | null;
  runs: Array<{ order: number; detect: boolean; rows_per_s: number; conflicts: number | null }>;
  duration_s: number;
}

const num = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : Math.round(value).toLocaleString('en-US'));

function falseConflictLine(r: Results): string {
  if (r.false_conflicts === null) return 'conflicts recorded on the untouched target: no conflicts table (a Ferry without detection: detectConflicts changed nothing)';
  if (r.false_conflicts === 0) return 'conflicts recorded on the untouched target: 0';
  return `FALSE CONFLICTS: ${num(r.false_conflicts)} recorded on an untouched target (a bug in detection)`;
}

/** The run as plain text: rows/s off and on, the ratio and the cost per row, per scenario, the changed target. */
export function conflictReportLines(json: Record<string, unknown>): string[] {
  const r = json as unknown as Results;
  const lines = [
    '',
    `Conflict detection, ${num(r.row_changes)} row changes caught up by bin/ferry run, parallel ${r.parallel} (medians of ${r.runs.filter((x) => !x.detect).length} runs off, ${r.runs.filter((x) => x.detect).length} on, alternating)`,
    `  off ${num(r.off.rows_per_s)} rows/s, on ${num(r.on.rows_per_s)} rows/s: ratio ${r.ratio_on_vs_off.toFixed(3)} (per pair: ${r.pair_ratios.map((p) => p.toFixed(3)).join(', ')})`,
    `  cost per row change: ${r.cost_per_row_us.wall.toFixed(2)} µs wall, ${r.cost_per_row_us.ferry_cpu.toFixed(2)} µs Ferry CPU (${r.off.ferry_cpu_us_per_row.toFixed(2)} -> ${r.on.ferry_cpu_us_per_row.toFixed(2)}), ${r.cost_per_row_us.target_cpu.toFixed(2)} µs target mysqld CPU (${r.off.target_cpu_us_per_row.toFixed(2)} -> ${r.on.target_cpu_us_per_row.toFixed(2)})`,
  ];
  for (const s of r.scenarios) {
    const f = r.by_scenario[s.key]!;
    lines.push(`  ${s.label.padEnd(56)} off ${num(f.off_rows_per_s).padStart(8)}  on ${num(f.on_rows_per_s).padStart(8)}  ratio ${f.ratio.toFixed(3)}  ${f.wall_us_per_row.toFixed(2)} µs/row`);
  }
  lines.push(`  ${falseConflictLine(r)}`);
  lines.push(`  runs in order: ${r.runs.map((x) => `${x.detect ? 'on' : 'off'} ${num(x.rows_per_s)}`).join(', ')}`);
  const c = r.changed_target;
  if (c !== null) {
    if (r.detection_active === false) lines.push('NO CONFLICT FOUND on the changed target: detection did not run (detectConflicts changed nothing)');
    if (c.as_expected === false) lines.push(`CONFLICT COUNT WRONG on the changed target: ${num(c.recorded_conflicts)} recorded, ${num(c.rows_changed)} rows changed (one conflict each)`);
    lines.push(
      `changed target (${c.percent_of_updated_rows}% of the rows (b) updates changed behind Ferry's back, ${num(c.rows_changed)} rows): ${num(c.recorded_conflicts)} conflicts recorded of ${num(c.rows_changed)} expected, ${num(c.conflicts_per_s)} conflicts/s during (b)`,
      `  ${num(c.rows_per_s)} rows/s over (b)-(d) against ${num(c.untouched_on_rows_per_s)} untouched; (b) alone ${num(c.updates_rows_per_s)} against ${num(c.untouched_on_updates_rows_per_s)}`,
    );
  }
  lines.push(`run ${r.duration_s.toFixed(0)} s`);
  return lines;
}
