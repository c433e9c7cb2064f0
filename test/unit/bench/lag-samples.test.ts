import { describe, expect, it } from 'vitest';
import { lagFiguresOf, positionCovering, visibilityLagsMs, type PositionSample } from '../../../bench/lag-samples.ts';

// The lag computation of bench/visibility-lag.ts: probes' commit times against polled positions.
describe('lag from polled GTID positions', () => {
  const samples: PositionSample[] = [
    { at: 100, position: '0-1-10' },
    { at: 103, position: '0-1-12' },
    { at: 110, position: '0-1-13' },
    { at: 125, position: '0-1-20' },
  ];

  it('gives each probe the time from its commit to the first poll whose position includes it', () => {
    const probes = [
      { gtid: '0-1-11', committedAt: 101 },
      { gtid: '0-1-12', committedAt: 101.5 },
      { gtid: '0-1-13', committedAt: 102 },
      { gtid: '0-1-17', committedAt: 104 },
      { gtid: '0-1-20', committedAt: 120 },
    ];
    expect(visibilityLagsMs(probes, samples)).toEqual([2, 1.5, 8, 21, 5]);
  });

  it('counts a probe already applied at the first poll from that poll', () => {
    expect(visibilityLagsMs([{ gtid: '0-1-9', committedAt: 99 }], samples)).toEqual([1]);
  });

  it('compares positions per replication domain', () => {
    const twoDomains: PositionSample[] = [
      { at: 10, position: '0-1-5,1-1-100' },
      { at: 20, position: '0-1-6,1-1-100' },
      { at: 30, position: '0-1-6,1-1-101' },
    ];
    expect(visibilityLagsMs([{ gtid: '1-1-101', committedAt: 5 }, { gtid: '0-1-6', committedAt: 5 }], twoDomains)).toEqual([25, 15]);
  });

  it('refuses a probe no poll saw: its lag is unknown, not zero', () => {
    expect(() => visibilityLagsMs([{ gtid: '0-1-21', committedAt: 120 }], samples)).toThrow(/0-1-21 was never seen/);
  });

  it('covers a set of GTIDs with the highest sequence number of each domain', () => {
    expect(positionCovering(['0-1-7', '0-1-12', '0-2-9', '1-1-3'])).toBe('0-1-12,1-1-3');
  });

  it('summarises lags as nearest-rank p50, p99 and max, in ms to one decimal', () => {
    const lags = Array.from({ length: 200 }, (_, i) => (i + 1) / 4);
    expect(lagFiguresOf(lags, 4_990, 2_000, 0.123)).toEqual({ p50: 25, p99: 49.5, max: 50, achieved_rows_per_s: 4_990, rows: 2_000, probes: 200, poll_ms: 0.12 });
  });
});
