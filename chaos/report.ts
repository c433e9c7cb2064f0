import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FaultKind } from './kinds.ts';

/** One injected fault as chaos/results/latest.json records it. */
export interface FaultResult {
  kind: FaultKind;
  /** ISO time of the injection. */
  at: string;
  /** The process or server hit (node id, manager id, database name). */
  target: string;
  /** Seconds from the injection until replication moved again; null when it never did. */
  recovered_s: number | null;
  /** Seconds; for a fault of an overlapping pair, both kinds' bounds added. */
  bound_s: number;
  /** For a fault of an overlapping pair: the other fault's number (1-based, in injection order). */
  overlaps?: number;
}

export interface ChaosReport {
  seed: number;
  /** The kinds the schedule drew from: a seed replays only with the same list. */
  kinds: FaultKind[];
  /** The share of faults the schedule overlapped with the one before (it replays only with the same share). */
  overlap: number;
  faults: FaultResult[];
  tables_compared: number;
  /** Tables whose content differs, plus ledger accounting problems. */
  diffs: number;
  rows_compared: number;
  /** The two counts above per schema compared (`chaos`: source vs target; `chaos_bi`: peer vs target). */
  schemas?: Record<string, { tables_compared: number; rows_compared: number }>;
  duration_s: number;
  /** What differed, one line each (empty when diffs is 0). */
  problems: string[];
}

/** A fault met its bound when replication moved again within it. */
export function metBound(fault: FaultResult): boolean {
  return fault.recovered_s !== null && fault.recovered_s <= fault.bound_s;
}

/** Exit 0 only when nothing differs and every recovery met its bound. */
export function passed(report: ChaosReport): boolean {
  return report.diffs === 0 && report.faults.every(metBound);
}

export function writeReport(file: string, report: ChaosReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** The readable summary printed at the end of a run. */
export function summaryLines(report: ChaosReport): string[] {
  const lines = [`chaos seed ${report.seed}: ${report.faults.length} faults in ${report.duration_s.toFixed(0)} s`];
  for (const [i, f] of report.faults.entries()) {
    const took = f.recovered_s === null ? 'never recovered' : `recovered in ${f.recovered_s.toFixed(1)} s`;
    lines.push(`  ${String(i + 1).padStart(3)}. ${f.at.slice(11, 19)} ${f.kind.padEnd(21)} ${f.target.padEnd(16)} ${took} (bound ${f.bound_s} s${f.overlaps === undefined ? '' : `, overlapping ${f.overlaps}`})${metBound(f) ? '' : '  OVER BOUND'}`);
  }
  const perSchema = Object.entries(report.schemas ?? {}).map(([schema, c]) => `${schema}: ${c.tables_compared} tables, ${c.rows_compared} rows`);
  lines.push(`  ${report.tables_compared} tables compared, ${report.rows_compared} rows, ${report.diffs} differences${perSchema.length ? ` (${perSchema.join('; ')})` : ''}`);
  for (const problem of report.problems.slice(0, 20)) lines.push(`  - ${problem}`);
  if (report.problems.length > 20) lines.push(`  ... and ${report.problems.length - 20} more`);
  lines.push(passed(report) ? 'PASS' : 'FAIL');
  return lines;
}
