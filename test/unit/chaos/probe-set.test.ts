import { describe, expect, it } from 'vitest';
import { ProbeSet, describeArrivals, lastArrival, type DirectionProbe } from '../../../chaos/probe-set.ts';

/** A probe whose value arrives `arrivesAt` (or never), recording what it was asked. */
function fakeProbe(name: string, arrivesAt: number | undefined): DirectionProbe & { bumped: number; waitedFor: number[] } {
  return {
    name,
    bumped: 0,
    waitedFor: [],
    bump(): Promise<number> {
      this.bumped++;
      return Promise.resolve(this.bumped);
    },
    waitFor(value: number): Promise<number | undefined> {
      this.waitedFor.push(value);
      return Promise.resolve(arrivesAt);
    },
    flowing(): Promise<number | undefined> {
      return Promise.resolve(arrivesAt);
    },
  };
}

const signal = new AbortController().signal;

describe('chaos probe set', () => {
  it('takes the last arrival of all, none while any direction is missing', () => {
    expect(lastArrival([1_000, 3_000, 2_000])).toBe(3_000);
    expect(lastArrival([1_000, undefined, 2_000])).toBeUndefined();
    expect(lastArrival([])).toBeUndefined();
  });

  it('bumps every direction once and waits for the value it wrote', async () => {
    const probes = [fakeProbe('chaos-forward', 1_500), fakeProbe('chaos-bi-a2b', 1_200), fakeProbe('chaos-bi-b2a', 4_000)];
    const arrivals = await new ProbeSet(probes).moved(10_000, signal);
    expect(arrivals.last).toBe(4_000);
    expect(probes.map((p) => [p.bumped, p.waitedFor])).toEqual([[1, [1]], [1, [1]], [1, [1]]]);
    expect(describeArrivals(arrivals, 1_000)).toBe('chaos-forward 0.5 s, chaos-bi-a2b 0.2 s, chaos-bi-b2a 3.0 s');
  });

  it('has not moved while one direction never arrives, and says which', async () => {
    const arrivals = await new ProbeSet([fakeProbe('chaos-forward', 1_500), fakeProbe('chaos-bi-b2a', undefined)]).flowing(10_000, signal);
    expect(arrivals.last).toBeUndefined();
    expect(describeArrivals(arrivals, 1_000)).toBe('chaos-forward 0.5 s, chaos-bi-b2a never');
  });
});
