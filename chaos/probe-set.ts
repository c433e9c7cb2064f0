/** What the set needs of one direction's probe (chaos/probe.ts; a fake in unit tests). */
export interface DirectionProbe {
  readonly name: string;
  bump(signal: AbortSignal): Promise<number>;
  waitFor(value: number, deadline: number, signal: AbortSignal): Promise<number | undefined>;
  flowing(deadline: number, signal: AbortSignal): Promise<number | undefined>;
}

/** When each direction's probe arrived (ms since the epoch), undefined for one that never did. */
export interface Arrivals {
  /** When the last one arrived: replication moved again everywhere. Undefined while any is missing. */
  last: number | undefined;
  each: { name: string; at: number | undefined }[];
}

/** The last arrival of all, or undefined when any direction's probe never arrived. */
export function lastArrival(times: readonly (number | undefined)[]): number | undefined {
  let last: number | undefined;
  for (const at of times) {
    if (at === undefined) return undefined;
    last = last === undefined ? at : Math.max(last, at);
  }
  return last;
}

/**
 * Replication has moved again only when it moved in every direction the cluster runs: the main
 * channel's pipeline and each direction of the bidirectional channel. Each probe is written on
 * its own source and watched on its own target, all at once; the fault is resolved when the
 * last of them arrived.
 */
export class ProbeSet {
  constructor(readonly probes: readonly DirectionProbe[]) {}

  /** At the start: every direction flowing (each bumped every 2 s until one value arrives). */
  async flowing(deadline: number, signal: AbortSignal): Promise<Arrivals> {
    return this.arrivals(await Promise.all(this.probes.map((p) => p.flowing(deadline, signal))));
  }

  /** After a fault or at the end: a new value written on every source, awaited on every target. */
  async moved(deadline: number, signal: AbortSignal): Promise<Arrivals> {
    return this.arrivals(await Promise.all(this.probes.map(async (p) => p.waitFor(await p.bump(signal), deadline, signal))));
  }

  private arrivals(times: (number | undefined)[]): Arrivals {
    return { last: lastArrival(times), each: this.probes.map((p, i) => ({ name: p.name, at: times[i] })) };
  }
}

/** "chaos-forward 1.2 s, chaos-bi-a2b 0.4 s, chaos-bi-b2a never": each direction's time after t0. */
export function describeArrivals(arrivals: Arrivals, t0: number): string {
  return arrivals.each.map((a) => `${a.name} ${a.at === undefined ? 'never' : `${((a.at - t0) / 1000).toFixed(1)} s`}`).join(', ');
}
