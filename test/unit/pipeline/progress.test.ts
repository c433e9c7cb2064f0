import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../shared/model/change.ts';
import { ProgressTracker } from '../../../node/pipeline/progress.ts';

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

  it('reports no lag when nothing waits', () => {
    const progress = new ProgressTracker(() => 20_000);
    progress.committed(batch(10_000, 19_000));
    expect(progress.snapshot('running', false).lagMs).toBe(0);
  });
});
