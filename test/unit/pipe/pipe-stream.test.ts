import { afterEach, describe, expect, it } from 'vitest';
import { PipeClient } from '../../../node/pipe/index.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { TcpProxy } from '../../../services/tcp-proxy.ts';
import { clientOptions, rejection, sendEvents, startLoadSide, until, type FakeLoadSide } from './pipe-fixture.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function loadSide(options: Parameters<typeof startLoadSide>[0] = {}): Promise<FakeLoadSide> {
  const side = await startLoadSide(options);
  cleanups.push(() => side.server.close());
  return side;
}

async function open(port: number, overrides: Parameters<typeof clientOptions>[1] = {}): Promise<PipeClient> {
  const client = await PipeClient.open(clientOptions(port, overrides));
  cleanups.push(() => client.close());
  return client;
}

describe('pipe stream', () => {
  it('carries many batches in order, each acknowledged once its consumer resolved', async () => {
    const side = await loadSide();
    const client = await open(side.port);
    expect(client.resumeAt).toBe(0);
    await sendEvents(client, 0, 2000);
    await client.drained();
    expect(side.anomalies).toEqual([]);
    expect(side.committed).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(client.stats()).toMatchObject({ batchesSent: 2000, batchesAcked: 2000, inFlightBatches: 0, inFlightBytes: 0 });
    expect(side.server.stats()).toEqual([expect.objectContaining({ pipeline: 'orders', epoch: 3, batchesAcked: 2000, inFlightBatches: 0 })]);
    // A goodbye ends the session cleanly on the load side.
    client.close();
    expect(await client.ended).toBeUndefined();
    await until(() => side.ends.length === 1);
    expect(side.ends).toEqual([undefined]);
  });

  it('keeps batches and bytes in flight within the window while the consumer is slow, on both sides', async () => {
    const window = { maxInFlightBatches: 6, maxInFlightBytes: 9_000 };
    const sizes = Array.from({ length: 150 }, (_, i) => 500 + ((i * 7919) % 3500));
    let senderWaiting = false;
    let sentAll = false;
    let fullWindows = 0;
    const serverSeen: { batches: number; bytes: number }[] = [];
    const side = await loadSide({
      window,
      maxBatchBytes: 4_000,
      // The consumer holds each batch until the sender is stuck on a full window and every
      // batch it sent has arrived: the window is then as full as the sender can make it.
      beforeCommit: async () => {
        await until(() => sentAll || (senderWaiting && side.server.stats()[0]!.inFlightBatches + side.committed.length === client.stats().batchesSent));
        if (!sentAll) fullWindows += 1;
        const [session] = side.server.stats();
        serverSeen.push({ batches: session!.inFlightBatches, bytes: session!.inFlightBytes });
      },
    });
    const client = await open(side.port, { window: { maxInFlightBatches: 100, maxInFlightBytes: 1_000_000 } });
    expect(client.windowLimits).toEqual(window);
    const clientSeen: { batches: number; bytes: number }[] = [];
    for (const [event, size] of sizes.entries()) {
      senderWaiting = true;
      // The payload is the event number padded to its size (the fake target reads the number).
      await client.send(Buffer.from(String(event).padEnd(size, ' '), 'utf8'));
      senderWaiting = false;
      const stats = client.stats();
      clientSeen.push({ batches: stats.inFlightBatches, bytes: stats.inFlightBytes });
    }
    sentAll = true;
    await client.drained();
    expect(side.anomalies).toEqual([]);
    expect(side.committed).toHaveLength(sizes.length);
    // The window filled again and again, and neither side ever held more than it allows.
    expect(fullWindows).toBeGreaterThan(20);
    for (const seen of [...clientSeen, ...serverSeen]) {
      expect(seen.batches).toBeLessThanOrEqual(window.maxInFlightBatches);
      expect(seen.bytes).toBeLessThanOrEqual(window.maxInFlightBytes);
    }
    expect(Math.max(...serverSeen.map((seen) => seen.bytes))).toBeGreaterThan(window.maxInFlightBytes / 2);
  });

  it('refuses a batch above the batch limit before sending it', async () => {
    const side = await loadSide({ maxBatchBytes: 1_000 });
    const client = await open(side.port);
    const error = await rejection(client.send(Buffer.alloc(1_001)));
    expect(error.code).toBe('FERRY_ERR_PIPE_BATCH_TOO_LARGE');
    await sendEvents(client, 0, 1);
    await client.drained();
    expect(side.committed).toEqual([0]);
  });

  it('after a cut, a new connection resumes where the target checkpoint is: nothing lost, nothing doubled', async () => {
    let cutAt: number | undefined;
    const side = await loadSide({
      beforeCommit: async (event) => {
        // The link dies while batches are in flight, before this one commits.
        if (event === 700 && cutAt === undefined) {
          cutAt = event;
          await proxy.close();
        }
      },
    });
    const proxy = await TcpProxy.start('127.0.0.1', side.port);
    const first = await open(proxy.port);
    const failed = await rejection(sendEvents(first, first.resumeAt as number, 2000));
    expect(failed.code).toBe('FERRY_ERR_PIPE_CLOSED');
    expect((await first.ended)?.code).toBe(failed.code);
    await until(() => side.ends.length === 1);
    expect(side.ends[0]?.code).toBe('FERRY_ERR_PIPE_CLOSED');
    // The batch being consumed when the link died still committed (and any that arrived before
    // the load side heard of the cut); the first connection may have sent past them, and the
    // second starts from the checkpoint, not from what was sent.
    const checkpoint = side.checkpoint;
    expect(checkpoint).toBeGreaterThanOrEqual(701);
    expect(first.stats().batchesSent).toBeGreaterThanOrEqual(checkpoint);
    const second = await open(side.port);
    expect(second.resumeAt).toBe(checkpoint);
    await sendEvents(second, second.resumeAt as number, 2000);
    await second.drained();
    expect(side.anomalies).toEqual([]);
    expect(side.committed).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(side.resumes).toEqual([0, checkpoint]);
  });

  it('a newer connection replaces a half-open one once its batch in progress has committed, and resumes after it', async () => {
    let releaseHeld: (() => void) | undefined;
    let holding = false;
    const side = await loadSide({
      silenceMs: 600_000,
      beforeCommit: async (event) => {
        if (event === 300 && releaseHeld === undefined) {
          holding = true;
          await new Promise<void>((resolve) => (releaseHeld = resolve));
        }
      },
    });
    const proxy = await TcpProxy.start('127.0.0.1', side.port);
    cleanups.push(() => proxy.close());
    const first = await open(proxy.port, { silenceMs: 600_000 });
    const firstSending = rejection(sendEvents(first, 0, 2000));
    await until(() => holding);
    proxy.goDark();
    // The select side reconnects (it would after its own silence bound); the old session is
    // still alive on the load side, with event 300 being committed.
    const opening = PipeClient.open(clientOptions(side.port));
    await until(() => side.server.stats()[0]?.ending === true);
    // The old session is ending but its commit is not done: the new one must wait for it.
    expect(side.resumes).toEqual([0]);
    expect(side.ends).toEqual([]);
    releaseHeld!();
    const second = await opening;
    cleanups.push(() => second.close());
    expect(side.ends.map((end) => end?.code)).toEqual(['FERRY_ERR_PIPE_SUPERSEDED']);
    expect(second.resumeAt).toBe(301);
    await sendEvents(second, 301, 1000);
    await second.drained();
    expect(side.anomalies).toEqual([]);
    expect(side.committed).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    first.close();
    await firstSending;
  });

  it('endSession ends a pipeline\'s session on the load node\'s word, and the select side hears its code', async () => {
    const side = await loadSide();
    const client = await open(side.port);
    await sendEvents(client, 0, 10);
    await client.drained();
    await side.server.endSession('orders', new FerryError('FERRY_ERR_PIPELINE_ABORTED', { pipeline: 'orders' }));
    expect(side.ends.map((end) => end?.code)).toEqual(['FERRY_ERR_PIPELINE_ABORTED']);
    const ended = await client.ended;
    expect(ended?.code).toBe('FERRY_ERR_PIPE_PEER_FAILED');
    expect(ended?.details).toMatchObject({ peerCode: 'FERRY_ERR_PIPELINE_ABORTED' });
    expect((await rejection(client.send(Buffer.from('10')))).code).toBe('FERRY_ERR_PIPE_PEER_FAILED');
  });

  it('through repeated cuts and a half-open link, the select side reconnects and the target ends with every event once', async () => {
    const total = 3000;
    // At these checkpoints the link fails: cut (the proxy closes), or dark (half-open, found by silence).
    const faults = new Map<number, 'cut' | 'dark'>([[250, 'cut'], [800, 'dark'], [1300, 'cut'], [2100, 'dark'], [2900, 'cut']]);
    let proxy: TcpProxy | undefined;
    const quick = { heartbeatMs: 100, silenceMs: 1_000 };
    const side = await loadSide({
      ...quick,
      beforeCommit: async (event) => {
        const fault = faults.get(event);
        if (fault === undefined) return;
        faults.delete(event);
        if (fault === 'cut') await proxy!.close();
        else proxy!.goDark();
      },
    });
    const errors: string[] = [];
    while (side.checkpoint < total) {
      proxy = await TcpProxy.start('127.0.0.1', side.port);
      const current = proxy;
      cleanups.push(() => current.close());
      let client: PipeClient;
      try {
        client = await PipeClient.open(clientOptions(proxy.port, quick));
      } catch (error) {
        errors.push((error as FerryError).code);
        continue;
      }
      cleanups.push(() => client.close());
      try {
        await sendEvents(client, client.resumeAt as number, total);
        await client.drained();
      } catch (error) {
        errors.push((error as FerryError).code);
      }
      client.close();
      await proxy.close();
    }
    expect(faults.size).toBe(0);
    expect(errors.filter((code) => code === 'FERRY_ERR_PIPE_CLOSED').length).toBeGreaterThanOrEqual(3);
    expect(errors).toContain('FERRY_ERR_PIPE_SILENT');
    expect(side.anomalies).toEqual([]);
    expect(side.committed).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(side.resumes.length).toBeGreaterThanOrEqual(6);
  });
});
