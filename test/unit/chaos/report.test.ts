import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { passed, summaryLines, writeReport, type ChaosReport } from '../../../chaos/report.ts';

const report = (): ChaosReport => ({
  seed: 1,
  kinds: ['node-kill', 'target-restart'],
  overlap: 0.2,
  faults: [
    { kind: 'node-kill', at: '2026-12-07T21:00:00.000Z', target: 'node-1', recovered_s: 12.5, bound_s: 39 },
    { kind: 'target-restart', at: '2026-12-07T21:01:00.000Z', target: 'db2', recovered_s: 3, bound_s: 60 },
  ],
  tables_compared: 4,
  diffs: 0,
  rows_compared: 1234,
  duration_s: 321,
  problems: [],
});

describe('chaos report', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes the documented fields to the report file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-report-'));
    dirs.push(dir);
    const file = join(dir, 'results', 'latest.json');
    writeReport(file, report());
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(written).sort()).toEqual(['diffs', 'duration_s', 'faults', 'kinds', 'overlap', 'problems', 'rows_compared', 'seed', 'tables_compared']);
    expect(Object.keys((written.faults as object[])[0]!).sort()).toEqual(['at', 'bound_s', 'kind', 'recovered_s', 'target']);
  });

  it('passes only with no difference and every recovery within its bound', () => {
    expect(passed(report())).toBe(true);
    expect(passed({ ...report(), diffs: 1 })).toBe(false);
    const slow = report();
    slow.faults[0] = { ...slow.faults[0]!, recovered_s: 40 };
    expect(passed(slow)).toBe(false);
    const stuck = report();
    stuck.faults[1] = { ...stuck.faults[1]!, recovered_s: null };
    expect(passed(stuck)).toBe(false);
  });

  it('summarises every fault and the verdict', () => {
    const lines = summaryLines({ ...report(), diffs: 1, problems: ['table items: rows 3 vs 2'] });
    expect(lines.filter((l) => /node-kill|target-restart/.test(l))).toHaveLength(2);
    expect(lines).toContain('  - table items: rows 3 vs 2');
    expect(lines.at(-1)).toBe('FAIL');
  });

  it('names the other fault of an overlapping pair in the summary', () => {
    const pair = report();
    pair.faults[0] = { ...pair.faults[0]!, overlaps: 2 };
    pair.faults[1] = { ...pair.faults[1]!, overlaps: 1 };
    const lines = summaryLines(pair);
    expect(lines.find((l) => l.includes('node-kill'))).toContain('overlapping 2');
    expect(lines.find((l) => l.includes('target-restart'))).toContain('overlapping 1');
  });

  it('gives each schema\'s counts beside the totals', () => {
    const lines = summaryLines({ ...report(), tables_compared: 8, rows_compared: 2000, schemas: { chaos: { tables_compared: 4, rows_compared: 1234 }, chaos_bi: { tables_compared: 4, rows_compared: 766 } } });
    expect(lines).toContain('  8 tables compared, 2000 rows, 0 differences (chaos: 4 tables, 1234 rows; chaos_bi: 4 tables, 766 rows)');
  });
});
