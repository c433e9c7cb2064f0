import type { WrittenScenario } from './backlogs.ts';

/** How one path caught up the backlog: rows/s per scenario and overall. */
export interface CatchUpResult {
  /** Seconds from the path's start to the end of the last scenario. */
  seconds: number;
  rowsPerSecond: number;
  byScenario: Record<string, number>;
}

/**
 * Turns the moments a path reached each scenario's end (ms, performance.now()) into rows/s:
 * scenario i took from the end of scenario i-1 (or the start) to its own end.
 */
export function catchUpResult(scenarios: WrittenScenario[], startedAt: number, reachedAt: number[]): CatchUpResult {
  const byScenario: Record<string, number> = {};
  let previous = startedAt;
  scenarios.forEach((scenario, i) => {
    const seconds = Math.max(reachedAt[i]! - previous, 1) / 1000;
    byScenario[scenario.key] = Math.round(scenario.rowChanges / seconds);
    previous = reachedAt[i]!;
  });
  const seconds = (reachedAt[reachedAt.length - 1]! - startedAt) / 1000;
  return { seconds, rowsPerSecond: Math.round(totalRowChanges(scenarios) / seconds), byScenario };
}

export function totalRowChanges(scenarios: WrittenScenario[]): number {
  return scenarios.reduce((sum, s) => sum + s.rowChanges, 0);
}
