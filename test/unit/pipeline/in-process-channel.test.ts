import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../../shared/errors/index.ts';
import type { SelectedBatch } from '../../../node/pipeline/batch-channel.ts';
import { InProcessBatchChannel } from '../../../node/pipeline/in-process-channel.ts';

const batch = (seq: number, bytes = 10): SelectedBatch => ({
  seq,
  transactions: [{ end: { file: 'bin.1', pos: seq * 100 }, timestamp: 0, changes: [], bytes }],
  end: { file: 'bin.1', pos: seq * 100 },
  sourceTimestamp: 0,
  openedAt: 0,
  bytes,
});

/** Whether the promise settled after the pending callbacks ran (the channel waits on no timer). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await turn();
  await turn();
  return done;
}

describe('InProcessBatchChannel', () => {
  it('lets no more batches out than the window holds until the load side acknowledges', async () => {
    const channel = new InProcessBatchChannel({ batches: 2, bytes: Number.POSITIVE_INFINITY });
    await channel.send(batch(1));
    await channel.send(batch(2));
    const third = channel.send(batch(3));
    expect(await settled(third)).toBe(false);
    expect(channel.unacked).toBe(2);
    // Received is not committed: the window stays full.
    expect((await channel.receive(0))?.seq).toBe(1);
    expect(await settled(third)).toBe(false);
    channel.ack(1);
    expect(await settled(third)).toBe(true);
    expect(channel.unacked).toBe(2);
  });

  it('bounds the bytes in flight too, and always takes one batch into an empty window', async () => {
    const channel = new InProcessBatchChannel({ batches: 100, bytes: 100 });
    await channel.send(batch(1, 60));
    const second = channel.send(batch(2, 60));
    expect(await settled(second)).toBe(false);
    expect(channel.unackedBytes).toBe(60);
    channel.ack(1);
    expect(await settled(second)).toBe(true);
    channel.ack(2);
    // Larger than the whole bound: refused forever would deadlock the stream.
    expect(await settled(channel.send(batch(3, 500)))).toBe(true);
    expect(await settled(channel.send(batch(4, 1)))).toBe(false);
  });

  it('takes acknowledgements as cumulative: one ack frees every batch up to it', async () => {
    const channel = new InProcessBatchChannel({ batches: 3, bytes: Number.POSITIVE_INFINITY });
    for (const seq of [1, 2, 3]) await channel.send(batch(seq, 7));
    channel.ack(2);
    expect(channel.unacked).toBe(1);
    expect(channel.unackedBytes).toBe(7);
    channel.ack(3);
    expect(channel.unacked).toBe(0);
  });

  it('hands batches over in order, answers undefined when none came in time, and ends after the last one', async () => {
    const channel = new InProcessBatchChannel({ batches: 10, bytes: Number.POSITIVE_INFINITY });
    expect(await channel.receive(1)).toBeUndefined();
    await channel.send(batch(1));
    await channel.send(batch(2));
    channel.end();
    expect(channel.ended).toBe(false);
    expect((await channel.receive(0))?.seq).toBe(1);
    expect((await channel.receive(0))?.seq).toBe(2);
    expect(channel.ended).toBe(true);
    await expect(channel.send(batch(3))).rejects.toMatchObject({ code: 'FERRY_ERR_INTERNAL' });
  });

  it('wakes a waiting receive as soon as a batch is sent', async () => {
    const channel = new InProcessBatchChannel({ batches: 10, bytes: Number.POSITIVE_INFINITY });
    const received = channel.receive(600_000);
    expect(await settled(received)).toBe(false);
    await channel.send(batch(1));
    expect((await received)?.seq).toBe(1);
  });

  it('answers resumeAt through the load side, once it serves, and passes the request on', async () => {
    const channel = new InProcessBatchChannel({ batches: 1, bytes: 1 });
    const asked = channel.resumeAt({ startIfNew: { file: 'bin.7', pos: 4 } });
    expect(await settled(asked)).toBe(false);
    channel.serveResume((request) => Promise.resolve({ position: { file: request.startIfNew.file, pos: 400 }, resumed: true, epoch: 3 }));
    expect(await asked).toEqual({ position: { file: 'bin.7', pos: 400 }, resumed: true, epoch: 3 });
  });

  it("rejects resumeAt with the load side's refusal", async () => {
    const channel = new InProcessBatchChannel({ batches: 1, bytes: 1 });
    const refusal = new FerryError('FERRY_ERR_PIPELINE_RUNNING', { pipeline: 'p', target: 't', lock: 'l', holder: '1' });
    channel.serveResume(() => Promise.reject(refusal));
    await expect(channel.resumeAt({ startIfNew: { file: 'bin.1', pos: 4 } })).rejects.toBe(refusal);
  });

  it('ends every wait on both ends with the first failure of either side', async () => {
    const channel = new InProcessBatchChannel({ batches: 1, bytes: Number.POSITIVE_INFINITY });
    const resume = channel.resumeAt({ startIfNew: { file: 'bin.1', pos: 4 } });
    await channel.send(batch(1));
    const blocked = channel.send(batch(2));
    const failure = new FerryError('FERRY_ERR_TARGET_WRITE', { detail: 'lost' });
    channel.fail(failure);
    channel.fail(new FerryError('FERRY_ERR_INTERNAL', { detail: 'later' }));
    await expect(blocked).rejects.toBe(failure);
    await expect(resume).rejects.toBe(failure);
    await expect(channel.receive(600_000)).rejects.toBe(failure);
    expect(channel.failure).toBe(failure);
  });
});
