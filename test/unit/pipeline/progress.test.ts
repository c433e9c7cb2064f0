import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../shared/model/change.ts';
import { ProgressTracker } from '../../../node/pipeline/progress.ts';
import { newCopyState } from '../../../node/copy/copy-state.ts';

const batch = (sourceTimestamp: number, openedAt: number): Batch => ({ end: { file: 'b.000001', pos: 4 }, changes: [], transactions: 1, sourceTimestamp, openedAt });

describe('ProgressTracker lag', () => {
  it('while streaming, bounds the whole-second binlog stamp by when the batch opened', () => {
    let now = 10_310;
    const progress = new ProgressTracker(() => now);
    progress.committed(batch(10_000, 10_300));
    now = 10_320;
    expect(progress.snapshot('running', true).lagMs).toBe(20);
  });

  it('far behind, takes the middle of the stamped second', () => {
    let now = 70_010;
    const progress = new ProgressTracker(() => now);
    progress.committed(batch(10_000, 70_000));
    now = 70_050;
    expect(progress.snapshot('running', true).lagMs).toBe(59_550);
  });

  it('caught up, reports the time since the source was last heard (an event or a heartbeat), never a flat 0', () => {
    let now = 19_000;
    const progress = new ProgressTracker(() => now);
    progress.committed(batch(10_000, 19_000));
    now = 20_000;
    progress.heard();
    now = 20_400;
    expect(progress.snapshot('running', false).lagMs).toBe(400);
    // The path went dark: no heartbeat any more, the lag grows with the silence.
    now = 95_000;
    expect(progress.snapshot('running', false).lagMs).toBe(75_000);
    expect(progress.snapshot('retrying', false).lagMs).toBe(75_000);
  });

  it('takes the time the select side last heard the source, as the load side learns it across the pipe', () => {
    let now = 20_000;
    const progress = new ProgressTracker(() => now);
    now = 30_000;
    // Heard at 29 800 on the select node, told to the load node at 30 000.
    progress.heard(29_800);
    expect(progress.snapshot('running', false).lagMs).toBe(200);
    // An older report (a late status) never moves it back; a time ahead of this clock counts as now.
    progress.heard(25_000);
    expect(progress.snapshot('running', false).lagMs).toBe(200);
    progress.heard(31_000);
    expect(progress.snapshot('running', false).lagMs).toBe(0);
  });

  it('counts the silence from the start until the source is first heard', () => {
    let now = 1_000;
    const progress = new ProgressTracker(() => now);
    now = 31_000;
    expect(progress.snapshot('retrying', true).lagMs).toBe(30_000);
  });
});

describe('ProgressTracker copy figures', () => {
  it('shows no copy for the state a new pipeline pins before the copy listed its tables, and shows it once listed', () => {
    const tracker = new ProgressTracker(() => 1_000);
    const position = { file: 'mysql-bin.000001', pos: 4 };
    tracker.resumedAt(position, newCopyState('initial', 0, 0, 500));
    expect(tracker.snapshot('running', false).copy).toBeUndefined();
    tracker.resumedAt(position, { ...newCopyState('initial', 1, 30_000, 500), rows: 250 });
    expect(tracker.snapshot('running', false).copy).toMatchObject({ mode: 'initial', tables: 1, rowsCopied: 250, estimatedRows: 30_000 });
  });
});
