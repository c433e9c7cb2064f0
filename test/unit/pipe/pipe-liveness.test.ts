import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { PipeClient } from '../../../node/pipe/index.ts';
import { TcpProxy } from '../../../services/tcp-proxy.ts';
import { unusedPort } from '../../support/waits.ts';
import { clientOptions, rejection, sendEvents, startLoadSide, until, type FakeLoadOptions, type FakeLoadSide } from './pipe-fixture.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Short heartbeats and bound on both sides, so the test finds out soon; nothing asserts how soon. */
const QUICK = { heartbeatMs: 100, silenceMs: 1_000 };

async function throughProxy(options: FakeLoadOptions = {}): Promise<{ side: FakeLoadSide; proxy: TcpProxy; client: PipeClient }> {
  const side = await startLoadSide({ ...QUICK, ...options });
  cleanups.push(() => side.server.close());
  const proxy = await TcpProxy.start('127.0.0.1', side.port);
  cleanups.push(() => proxy.close());
  const client = await PipeClient.open(clientOptions(proxy.port, { ...QUICK, window: { maxInFlightBatches: 1 } }));
  cleanups.push(() => client.close());
  return { side, proxy, client };
}

describe('pipe liveness', () => {
  it('measures the round trip from heartbeats and counts bytes both ways', async () => {
    const { side, client } = await throughProxy();
    await sendEvents(client, 0, 10);
    await client.drained();
    await until(() => client.stats().rttMs !== undefined && side.server.stats()[0]?.rttMs !== undefined);
    await until(() => client.stats().bytesPerSecond > 0 && side.server.stats()[0]!.bytesPerSecond > 0);
    const stats = client.stats();
    expect(stats.rttMs).toBeGreaterThanOrEqual(0);
    expect(stats.bytesSent).toBeGreaterThan(10 * (5 + 8 + 1));
    expect(stats.bytesReceived).toBeGreaterThan(10 * (5 + 8));
    const [session] = side.server.stats();
    expect(session!.bytesReceived).toBeGreaterThanOrEqual(stats.bytesSent - 1_000);
  });

  it('a half-open link (no byte, no FIN) ends both sides with FERRY_ERR_PIPE_SILENT, and a waiting send with it', async () => {
    const { side, proxy, client } = await throughProxy();
    await sendEvents(client, 0, 5);
    await client.drained();
    proxy.goDark();
    // One batch goes into the dark; the next waits for its room in a window of one.
    await client.send(Buffer.from('5'));
    const waiting = rejection(client.send(Buffer.from('6')));
    const clientEnd = await client.ended;
    expect(clientEnd?.code).toBe('FERRY_ERR_PIPE_SILENT');
    expect(clientEnd?.details).toMatchObject({ phase: 'while running', boundMs: 1_000 });
    expect((await waiting).code).toBe('FERRY_ERR_PIPE_SILENT');
    await until(() => side.ends.length === 1);
    expect(side.ends[0]?.code).toBe('FERRY_ERR_PIPE_SILENT');
    await until(() => side.server.stats().length === 0);
    // The client gave up by itself, while the path was still dark: no FIN told it.
    await until(() => proxy.list()[0]!.clientClosed);
    expect(proxy.list()[0]!.clientClosedWhileDark).toBe(true);
    expect(side.committed).toEqual([0, 1, 2, 3, 4]);
  });

  it('a cut link ends both sides with FERRY_ERR_PIPE_CLOSED', async () => {
    const { side, proxy, client } = await throughProxy({ silenceMs: 600_000 });
    await sendEvents(client, 0, 5);
    await client.drained();
    await proxy.close();
    expect((await client.ended)?.code).toBe('FERRY_ERR_PIPE_CLOSED');
    await until(() => side.ends.length === 1);
    expect(side.ends[0]?.code).toBe('FERRY_ERR_PIPE_CLOSED');
  });

  it('a consumer slower than the silence bound does not end a live link: heartbeats flow meanwhile', async () => {
    let release: (() => void) | undefined;
    const { side, client } = await throughProxy({
      beforeCommit: (event) => (event === 3 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
    });
    await sendEvents(client, 0, 4);
    await until(() => release !== undefined);
    const heldAt = performance.now();
    // Three silence bounds pass with the batch held (a wait on the clock is the point here).
    await until(() => performance.now() - heldAt > 3 * QUICK.silenceMs);
    expect(side.ends).toEqual([]);
    release!();
    await client.drained();
    expect(side.committed).toEqual([0, 1, 2, 3]);
  });

  it('a load node that does not listen is FERRY_ERR_PIPE_CONNECT', async () => {
    const port = await unusedPort();
    const error = await rejection(PipeClient.open(clientOptions(port)));
    expect(error.code).toBe('FERRY_ERR_PIPE_CONNECT');
    expect(error.message).toContain(`cannot reach the pipe of 127.0.0.1:${port}: ECONNREFUSED`);
    expect(error.retryable).toBe(true);
  });
});
