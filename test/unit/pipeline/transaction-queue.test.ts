import { describe, expect, it } from 'vitest';
import type { SourceTransaction } from '../../../shared/model/change.ts';
import { TransactionQueue } from '../../../node/pipeline/transaction-queue.ts';

const transaction = (rows: number, pos: number, bytes = 0): SourceTransaction => ({
  end: { file: 'bin.1', pos },
  timestamp: 0,
  bytes,
  changes: Array.from({ length: rows }, () => ({ schema: 's', table: 't', kind: 'insert' as const, columns: [], after: {} })),
});

describe('TransactionQueue', () => {
  it('asks the reader to pause above the high-water mark and to resume below half of it', async () => {
    const signals: boolean[] = [];
    const queue = new TransactionQueue({ rows: 100, bytes: 1_000_000 }, (paused) => signals.push(paused));
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

  it('pauses on bytes too: a few very wide rows fill it as surely as many narrow ones', async () => {
    const signals: boolean[] = [];
    const queue = new TransactionQueue({ rows: 1000, bytes: 10_000 }, (paused) => signals.push(paused));
    queue.push(transaction(2, 1, 6_000));
    expect(signals).toEqual([]);
    queue.push(transaction(2, 2, 6_000));
    expect(signals).toEqual([true]);
    expect(queue.queuedBytes).toBe(12_000);
    await queue.take(0);
    // 6,000 bytes left: above half of the bound, still paused.
    expect(signals).toEqual([true]);
    await queue.take(0);
    expect(signals).toEqual([true, false]);
    expect(queue.queuedBytes).toBe(0);
  });

  it('keeps no reference to a transaction once taken (its rows must be free to go)', async () => {
    const queue = new TransactionQueue({ rows: 1_000_000, bytes: 1_000_000_000 }, () => undefined);
    for (let i = 0; i < 50; i++) queue.push(transaction(100, i));
    for (let i = 0; i < 40; i++) await queue.take(0);
    const held = (queue as unknown as { items: unknown[] }).items.filter((item) => item !== undefined);
    expect(held).toHaveLength(10);
  });

  it('hands out transactions in order and wakes a waiting consumer', async () => {
    const queue = new TransactionQueue({ rows: 1000, bytes: 1_000_000 }, () => undefined);
    const waiting = queue.take(5_000);
    queue.push(transaction(1, 7));
    expect((await waiting)?.end.pos).toBe(7);
    expect(await queue.take(10)).toBeUndefined();
  });
});
