import { describe, expect, it } from 'vitest';
import type { WrittenScenario } from '../../../bench/backlogs.ts';
import { PROCESS } from '../../../bench/cpu-usage.ts';
import type { FerryCatchUp } from '../../../bench/ferry-catch-up.ts';
import { printReport } from '../../../bench/report.ts';
import { resultsJson, type Measurements } from '../../../bench/results.ts';

// bench/latest.json of `npm run bench`: both Ferry paths, the OLTP scenario and the new limits.
const scenario = (key: string, rowChanges: number, transactions: number): WrittenScenario => ({ key, label: key, rowChanges, transactions, fromGtid: '0-1-1', toGtid: '0-1-2', writeSeconds: 1 });
const scenarios = [scenario('narrow_insert', 100_000, 1_000), scenario('oltp_write_only', 20_000, 5_000)];
const use = (rows: number, wallSeconds: number, seconds: Record<string, number>) => ({ rows, wallSeconds, seconds });

/** A catch-up of both scenarios at the given rows/s, CPU as given over 120,000 rows. */
function catchUp(perScenario: [number, number], ferryCpu: number): FerryCatchUp {
  const seconds = 100_000 / perScenario[0] + 20_000 / perScenario[1];
  const fromReady = { seconds, rowsPerSecond: Math.round(120_000 / seconds), byScenario: { narrow_insert: perScenario[0], oltp_write_only: perScenario[1] } };
  return { fromReady, inclStart: fromReady, startSeconds: 2, startCpuSeconds: 1.5, cpu: use(120_000, seconds, { [PROCESS.ferry]: ferryCpu, [PROCESS.target]: 0.6, [PROCESS.primary]: 0.12 }) };
}

const native = (rowsPerSecond: number, byScenario: [number, number]) => ({ seconds: 1, rowsPerSecond, byScenario: { narrow_insert: byScenario[0], oltp_write_only: byScenario[1] }, cpu: use(120_000, 1, { [PROCESS.replica]: 0.5 }) });

const measurements: Measurements = {
  quick: true,
  startedAt: performance.now(),
  mariadbVersion: '10.11.19',
  scenarios,
  nativeSingle: native(100_000, [120_000, 40_000]),
  nativeParallel: native(200_000, [240_000, 80_000]),
  ferry: catchUp([150_000, 100_000], 1.2),
  ferrySql: catchUp([60_000, 40_000], 2.4),
  decode: { ...native(300_000, [300_000, 300_000]), rowsDecoded: 120_000 },
  apply: {
    narrowOneConnection: 90_000,
    narrowFourConnections: 150_000,
    wideOneConnection: 30_000,
    narrowPreparedOneConnection: 110_000,
    cpu: { narrowOneConnection: use(100_000, 1, {}), narrowFourConnections: use(100_000, 1, {}), wideOneConnection: use(20_000, 1, {}), narrowPreparedOneConnection: use(100_000, 1, { [PROCESS.target]: 0.7, [PROCESS.bench]: 0.2 }) },
  },
  replay: { seconds: 0.3, rowsPerSecond: 400_000, byScenario: { narrow_insert: 500_000, oltp_write_only: 200_000 }, rows: 120_000, transactions: 100, statements: 100, capturedBy: 'raw-events', cpu: use(120_000, 0.3, { [PROCESS.target]: 0.24, [PROCESS.bench]: 0.06 }) },
  lag: { '5000': { ferry: { p50: 2, p99: 8, max: 12, achieved_rows_per_s: 4_990, rows: 50_000, probes: 5_000, poll_ms: 0.3 }, native_single: { p50: 1, p99: 5, max: 9, achieved_rows_per_s: 4_990, rows: 50_000, probes: 5_000, poll_ms: 0.2 } } },
  ferryPeakRssMb: 180,
  ferryCatchUpRssMb: 170,
  ferrySqlPeakRssMb: 200,
};

interface Results {
  ratio_vs_native_single: number;
  ratio_sql_vs_native_single: number;
  ratio_sql_vs_native_parallel: number;
  ferry_rows_per_s: number;
  ferry_sql_rows_per_s: number;
  mysql2_prepared_rows_per_s: number;
  replay_alone_rows_per_s: number;
  lag_ms: Record<string, Record<string, number>>;
  native_lag_ms: Record<string, Record<string, number>>;
  scenarios: Record<string, Record<string, unknown>>;
  cpu: Record<string, { us_per_row: Record<string, number> }>;
}

describe('benchmark results with both Ferry paths', () => {
  const json = resultsJson(measurements) as unknown as Results;

  it("keeps the ratios the default path's and gives the SQL path's beside them, overall and per scenario", () => {
    expect(json.ferry_rows_per_s).toBe(measurements.ferry.fromReady.rowsPerSecond);
    expect(json.ferry_sql_rows_per_s).toBe(measurements.ferrySql.fromReady.rowsPerSecond);
    expect(json.ratio_vs_native_single).toBe(Number((measurements.ferry.fromReady.rowsPerSecond / 100_000).toFixed(3)));
    expect(json.ratio_sql_vs_native_single).toBe(Number((measurements.ferrySql.fromReady.rowsPerSecond / 100_000).toFixed(3)));
    expect(json.ratio_sql_vs_native_parallel).toBe(Number((measurements.ferrySql.fromReady.rowsPerSecond / 200_000).toFixed(3)));
    expect(json.scenarios.oltp_write_only).toMatchObject({ ferry_rows_per_s: 100_000, ferry_sql_rows_per_s: 40_000, ratio_vs_native_single: 2.5, ratio_sql_vs_native_single: 1, ratio_sql_vs_native_parallel: 0.5, replay_alone_rows_per_s: 200_000 });
  });

  it('gives CPU per row of each Ferry path and of the new raw limits', () => {
    expect(json.cpu.ferry!.us_per_row[PROCESS.ferry]).toBe(10);
    expect(json.cpu.ferry_sql!.us_per_row[PROCESS.ferry]).toBe(20);
    expect(json.cpu.replay_alone!.us_per_row).toMatchObject({ [PROCESS.target]: 2, [PROCESS.bench]: 0.5, total: 2.5 });
    expect(json.cpu.mysql2_prepared_narrow_1_connection!.us_per_row).toMatchObject({ [PROCESS.target]: 7, [PROCESS.bench]: 2 });
    expect(json.replay_alone_rows_per_s).toBe(400_000);
    expect(json.mysql2_prepared_rows_per_s).toBe(110_000);
  });

  it("keeps lag per rate for Ferry and the native replica, with the probes and the polls' resolution", () => {
    expect(json.lag_ms['5000']).toMatchObject({ p99: 8, probes: 5_000, poll_ms: 0.3 });
    expect(json.native_lag_ms['5000']).toMatchObject({ p99: 5 });
  });

  it('prints both paths in the report', () => {
    const lines: string[] = [];
    printReport(measurements, json as unknown as Record<string, unknown>, (line) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toMatch(/ratio_sql_vs_native_single 0\.\d+/);
    expect(text).toContain('bin/ferry run, binlogReplay off (SQL)');
    expect(text).toContain('BINLOG replay alone, 1 connection');
    expect(text).toMatch(/BINLOG replay of the backlog's row events.*400,000/);
  });
});
