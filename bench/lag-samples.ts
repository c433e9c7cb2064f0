import { reachedGtid } from './gtid-pos.ts';
import type { LagFigures } from './lag.ts';

/** One lag probe transaction: its GTID, and when its COMMIT returned to the writer (performance.now(), ms). */
export interface ProbeCommit {
  gtid: string;
  committedAt: number;
}

/**
 * One poll of a copy's applied position (a native replica's @@gtid_slave_pos, Ferry's
 * checkpoint) whose answer differed from the poll before: `at` is when the answer arrived.
 */
export interface PositionSample {
  at: number;
  position: string;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * The GTID list that includes every one of `gtids` (MariaDB 'domain-server-seq'): per
 * domain the highest sequence number, so a copy has applied them all once its position
 * reaches it.
 */
export function positionCovering(gtids: string[]): string {
  const byDomain = new Map<string, { gtid: string; seq: bigint }>();
  for (const gtid of gtids) {
    const match = /^(\d+)-\d+-(\d+)$/.exec(gtid);
    if (!match) throw new Error(`'${gtid}' is not a MariaDB GTID`);
    const seq = BigInt(match[2]!);
    const known = byDomain.get(match[1]!);
    if (!known || known.seq < seq) byDomain.set(match[1]!, { gtid, seq });
  }
  return [...byDomain.values()].map((entry) => entry.gtid).join(',');
}

/**
 * Each probe's lag in ms: from its commit on the primary to the first sample whose position
 * includes it. Positions only grow, so the first such sample is found by bisection. The
 * sample's time is when the poll's answer arrived, so a figure is late by at most one poll
 * (the previous poll, sent after the probe became visible or not, did not see it). Throws
 * when a probe was never seen: the caller waits until every probe was.
 */
export function visibilityLagsMs(probes: ProbeCommit[], samples: PositionSample[]): number[] {
  return probes.map((probe) => {
    let low = 0;
    let high = samples.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (reachedGtid(samples[middle]!.position, probe.gtid)) high = middle;
      else low = middle + 1;
    }
    if (low === samples.length) throw new Error(`lag probe ${probe.gtid} was never seen applied`);
    return samples[low]!.at - probe.committedAt;
  });
}

/** p50, p99 and max of the lags (ms, one decimal), with the rate the writer achieved. */
export function lagFiguresOf(lagsMs: number[], achievedRowsPerSecond: number, rows: number, pollMs: number): LagFigures {
  if (lagsMs.length === 0) throw new Error('no lag probe to compute figures from');
  const sorted = [...lagsMs].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1]!),
    achieved_rows_per_s: achievedRowsPerSecond,
    rows,
    probes: lagsMs.length,
    poll_ms: Math.round(pollMs * 100) / 100,
  };
}
