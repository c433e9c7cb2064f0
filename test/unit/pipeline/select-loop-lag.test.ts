import { describe, expect, it } from 'vitest';
import { Extractor } from '../../../node/extract/extractor.ts';
import type { BatchSender, SelectedBatch } from '../../../node/pipeline/batch-channel.ts';
import { runSelectLoop } from '../../../node/pipeline/select-loop.ts';
import type { TransactionQueue } from '../../../node/pipeline/transaction-queue.ts';
import type { RuntimePipeline } from '../../../shared/config/load-pipeline-config.ts';
import type { SourceTransaction } from '../../../shared/model/change.ts';
import { compileTableMapping } from '../../../shared/model/table-mapping.ts';

/**
 * The lag of a lone batch: a transaction with nothing behind it is sent at once when the
 * target is idle, and waits (up to batch.maxDelayMs) behind a batch in flight. No clock: the
 * delay is a minute, and the test looks at what was sent when the loop waits on an empty queue.
 */

const columns = [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }];
const pipeline = { batch: { maxRows: 1000, maxBytes: 1 << 20, maxDelayMs: 60_000 } } as unknown as RuntimePipeline;

function transaction(seq: number): SourceTransaction {
  return { end: { file: 'bin.000001', pos: seq * 100 }, timestamp: seq, changes: [{ schema: 's', table: 't', kind: 'insert', columns, after: { id: seq } }], bytes: 10 };
}

/** A queue whose empty take() waits until the test releases it or the loop wakes it, and reports each such wait. */
function fakeQueue() {
  const pending: SourceTransaction[] = [];
  let release: (() => void) | undefined;
  const waits: number[] = [];
  let onWait: (() => void) | undefined;
  const queue = {
    get size() {
      return pending.length;
    },
    take: async (timeoutMs: number) => {
      if (pending.length > 0) return pending.shift();
      waits.push(timeoutMs);
      await new Promise<void>((resolve) => {
        release = resolve;
        onWait?.();
      });
      return pending.shift();
    },
    wake: () => release?.(),
  } as unknown as TransactionQueue;
  return {
    queue,
    pending,
    waits,
    /** Resolves when the loop next waits on the empty queue. */
    waiting: () => new Promise<void>((resolve) => (onWait = resolve)),
    release: () => release?.(),
  };
}

function fakeChannel(unacked: number) {
  const sent: SelectedBatch[] = [];
  const listeners = new Set<() => void>();
  const channel = {
    failure: undefined,
    unacked,
    send: async (batch: SelectedBatch) => {
      sent.push(batch);
      return Promise.resolve();
    },
    end: () => undefined,
    onAcked: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const ack = () => {
    channel.unacked = 0;
    for (const listener of listeners) listener();
  };
  return { channel: channel as unknown as BatchSender & { unacked: number }, sent, ack };
}

function run(queue: TransactionQueue, channel: BatchSender, stop: () => boolean): Promise<void> {
  return runSelectLoop({
    pipeline, queue, channel, knownTables: [], extractor: new Extractor(compileTableMapping(['s.t'])),
    readerFailure: () => undefined, stopRequested: stop, aborted: () => false, setBehind: () => undefined,
  });
}

describe('select loop: the lag of a lone batch', () => {
  it('sends a transaction with nothing queued behind it at once when no batch is in flight', async () => {
    const { queue, pending, waiting, release } = fakeQueue();
    const { channel, sent } = fakeChannel(0);
    pending.push(transaction(1));
    let stop = false;
    const waited = waiting();
    const loop = run(queue, channel, () => stop);
    await waited;
    // The loop waits for the next transaction; the first one is sent already, a minute before maxDelayMs.
    expect(sent.map((batch) => batch.transactions.map((t) => t.end.pos))).toEqual([[100]]);
    stop = true;
    release();
    await loop;
  });

  it('keeps grouping behind a batch in flight, and sends the group once the last acknowledgement leaves the target idle', async () => {
    const { queue, pending, waits, waiting, release } = fakeQueue();
    const { channel, sent, ack } = fakeChannel(1);
    pending.push(transaction(1), transaction(2));
    let stop = false;
    let waited = waiting();
    const loop = run(queue, channel, () => stop);
    await waited;
    expect(sent).toHaveLength(0);
    // It waits out the rest of maxDelayMs (most of the minute) for more to group.
    expect(waits.at(-1)).toBeGreaterThan(30_000);
    waited = waiting();
    ack();
    await waited;
    expect(sent.map((batch) => batch.transactions.map((t) => t.end.pos))).toEqual([[100, 200]]);
    stop = true;
    release();
    await loop;
  });
});
