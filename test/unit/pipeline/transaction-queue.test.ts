import { describe, expect, it } from 'vitest';
import type { SourceTransaction } from '../../../shared/model/change.ts';
import { TransactionQueue } from '../../../node/pipeline/transaction-queue.ts';

const transaction = (rows: number, pos: number): SourceTransaction => ({
  end: { file: 'bin.1', pos },
  timestamp: 0,
  changes: Array.from({ length: rows }, () => ({ schema: 's', table: 't', kind: 'insert' as const, columns: [], after: {} })),
});

describe('TransactionQueue', () => {
  it('asks the reader to pause above the high-water mark and to resume below half of it', async () => {
    const signals: boolean[] = [];
    const queue = new TransactionQueue(100, (paused) => signals.push(paused));
    queue.push(transaction(60, 1));
    expect(signals).toEqual([]);
    queue.push(transaction(60, 2));
    expect(signals).toEqual([true]);
    expect(queue.queuedRows).toBe(120);
    expect((await queue.take(0))?.end.pos).toBe(1);
    expect(signals).toEqual([true]);
    queue.push(transaction(1, 3));
    expect((await queue.take(0))?.end.pos).toBe(2);
    expect(signals).toEqual([true, false]);
  });

  it('hands out transactions in order and wakes a waiting consumer', async () => {
    const queue = new TransactionQueue(1000, () => undefined);
    const waiting = queue.take(5_000);
    queue.push(transaction(1, 7));
    expect((await waiting)?.end.pos).toBe(7);
    expect(await queue.take(10)).toBeUndefined();
  });
});
