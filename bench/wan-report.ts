import { TARGETS, checkTargets, linkFloorSeconds, splitPaths, wanBytes, type WanMeasurements } from './wan-results.ts';

/** The WAN benchmark's report: markdown tables, printed as they go into docs/benchmarks.md. */

const num = (value: number | undefined | null, digits = 0): string => (value === undefined || value === null ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const pct = (value: number | undefined | null): string => (value === undefined || value === null ? '-' : `${(value * 100).toFixed(1)} %`);

export function wanReportLines(m: WanMeasurements): string[] {
  const lines: string[] = [];
  const rows = m.backlog.rowChanges;
  const rates = Object.keys(m.lag);
  lines.push(`Link: ${m.link.delayMs} ms each way, ${m.link.rateMbit} Mbit/s each way. Backlog: sysbench oltp_write_only, ${num(m.backlog.transactions)} transactions, ${num(rows)} row changes, ${num(m.backlog.binlogBytes)} binlog bytes (${num(m.backlog.binlogBytes / rows, 1)} per row change, annotations off).`);
  lines.push('');
  const lagHeads = rates.map((rate) => `lag at ${num(Number(rate))} rows/s p50 / p99 / max, ms`);
  lines.push(`| path | catch-up rows/s | catch-up s | link floor s | WAN B per row change | WAN / binlog | ${lagHeads.join(' | ')} |`);
  lines.push(`|---|---:|---:|---:|---:|---:|${rates.map(() => '---:|').join('')}`);
  for (const path of m.paths) {
    const bytes = wanBytes(path);
    const lag = rates.map((rate) => {
      const figures = m.lag[rate]?.[path.key];
      return figures === undefined ? '-' : `${num(figures.p50, 1)} / ${num(figures.p99, 1)} / ${num(figures.max, 1)}`;
    });
    lines.push(`| ${path.label} | ${num(path.catchUp.rowsPerSecond)} | ${num(path.catchUp.seconds, 1)} | ${num(linkFloorSeconds(path, m.link), 1)} | ${bytes === undefined ? '-' : num(bytes / rows, 1)} | ${bytes === undefined ? '-' : pct(bytes / m.backlog.binlogBytes)} | ${lag.join(' | ')} |`);
  }
  const achieved = rates.map((rate) => `${num(Number(rate))} asked, ${num(Object.values(m.lag[rate] ?? {})[0]?.achieved_rows_per_s)} written`).join('; ');
  lines.push('');
  lines.push(`Lag write rates: ${achieved}. Link floor: the busier direction's bytes at the link's rate, the least time they can take.`);
  const splits = splitPaths(m);
  if (splits.length > 0) {
    lines.push('');
    lines.push('| split pipeline | batch.maxDelayMs | window (payloads) | channel batches | rows per batch | pipe RTT, ms | restarts |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const split of splits) {
      const s = split.split;
      lines.push(`| ${split.label} | ${num(s?.batchMaxDelayMs)} | ${num(s?.windowBatches)} | ${num(s?.batches)} | ${s && s.batches > 0 ? num(rows / s.batches, 1) : '-'} | ${num(s?.rttMs, 1)} | ${num(s?.restarts)} |`);
    }
  }
  lines.push('');
  lines.push('| target (issue 13) | path | value | limit | met |');
  lines.push('|---|---|---:|---|---|');
  for (const check of checkTargets(m)) {
    const value = check.value === null ? '-' : check.target.startsWith('WAN bytes') ? pct(check.value) : check.target.startsWith('lag') ? `${num(check.value, 1)} ms` : `${check.value.toFixed(2)}x`;
    lines.push(`| ${check.target} | ${check.path} | ${value} | ${check.limit} | ${check.met === null ? 'not measured' : check.met ? 'met' : '**not met**'} |`);
  }
  lines.push('');
  lines.push(`${m.quick ? 'Quick run' : 'Full run'}, ${m.durationSeconds.toFixed(0)} s including server start; MariaDB ${m.mariadbVersion}, Node ${process.version}. Targets: lag p99 at ${TARGETS.lagRate} rows/s <= one-way delay + ${TARGETS.lagOverDelayMs} ms.`);
  return lines;
}
