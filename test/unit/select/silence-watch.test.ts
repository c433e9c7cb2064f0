import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SilenceWatch } from '../../../node/select/silence-watch.ts';

/** Work the watch deferred until after this turn's I/O. */
const afterIo: Array<() => void> = [];
const watchFor = (boundMs: number, silent: number[]) => new SilenceWatch(boundMs, (ms) => silent.push(ms), Date.now, (run) => afterIo.push(run));

/** Lets `ms` pass, then the rest of the event loop turn (the watch confirms silence after pending I/O). */
function pass(ms: number): void {
  vi.advanceTimersByTime(ms);
  endTurn();
}

function endTurn(): void {
  for (const run of afterIo.splice(0)) run();
}

describe('SilenceWatch', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('reports silence once the bound passes without anything heard', () => {
    const silent: number[] = [];
    const watch = watchFor(3_000, silent);
    pass(2_999);
    expect(silent).toEqual([]);
    pass(1);
    expect(silent).toEqual([3_000]);
    pass(60_000);
    expect(silent).toHaveLength(1);
    watch.stop();
  });

  it('stays quiet while heartbeats keep arriving', () => {
    const silent: number[] = [];
    const watch = watchFor(3_000, silent);
    for (let i = 0; i < 100; i++) {
      pass(1_000);
      watch.heard();
    }
    expect(silent).toEqual([]);
    pass(3_000);
    expect(silent).toEqual([3_000]);
  });

  it('does not count time paused for back-pressure, and starts a fresh bound on resume', () => {
    const silent: number[] = [];
    const watch = watchFor(3_000, silent);
    pass(2_000);
    watch.pause();
    pass(600_000);
    expect(silent).toEqual([]);
    watch.resume();
    pass(2_999);
    expect(silent).toEqual([]);
    pass(1);
    expect(silent).toEqual([3_000]);
  });

  it('takes bytes that waited unread behind a long synchronous stretch as heard', () => {
    const silent: number[] = [];
    const watch = watchFor(3_000, silent);
    vi.advanceTimersByTime(3_000); // the deadline passed; the I/O of this turn is not read yet
    watch.heard();
    endTurn();
    expect(silent).toEqual([]);
    pass(3_000);
    expect(silent).toEqual([3_000]);
  });

  it('applies a new bound from the last arrival (a lenient bound while the stream starts, then the strict one)', () => {
    const silent: number[] = [];
    const watch = watchFor(60_000, silent);
    pass(30_000);
    expect(silent).toEqual([]);
    watch.heard();
    pass(1_000);
    watch.setBound(3_000);
    pass(1_999);
    expect(silent).toEqual([]);
    pass(1);
    expect(silent).toEqual([3_000]);
  });

  it('never reports after stop()', () => {
    const silent: number[] = [];
    const watch = watchFor(3_000, silent);
    watch.stop();
    watch.resume();
    pass(60_000);
    expect(silent).toEqual([]);
  });
});
