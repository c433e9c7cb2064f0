import { createConnection } from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WanProxy, mbitToBytesPerSecond, type WanProxyOptions } from '../../../services/wan-proxy.ts';
import { staysTrue } from '../../support/waits.ts';
import { closed, collect, connect, echo, randomBytes, sha256, testServer, writeInChunks } from './sockets.ts';

// Time is asserted only from below: a proxy can never deliver sooner than its delay, nor
// faster than its rate, however loaded the machine is. How much slower it is, is not asserted.

/** Floating-point slack for the lower bounds (ms); delivery itself is never early. */
const EPSILON_MS = 0.5;
const WAIT = { timeout: 60_000, interval: 20 };

async function proxyTo(port: number, options: Omit<WanProxyOptions, 'target'> = {}): Promise<WanProxy> {
  const proxy = await WanProxy.start({ target: { host: '127.0.0.1', port }, ...options });
  onTestFinished(() => proxy.close());
  return proxy;
}

/** Sends `message` and waits for its echo; the round trip in ms. */
async function roundTrip(socket: Awaited<ReturnType<typeof connect>>, received: ReturnType<typeof collect>, message: Buffer): Promise<number> {
  const before = received.bytes();
  const start = performance.now();
  socket.write(message);
  await received.until(before + message.length);
  return received.lastAt() - start;
}

describe('WanProxy: delay', () => {
  it('a ping-pong through 100 ms each way takes at least 200 ms per round trip', async () => {
    const server = await testServer(echo);
    const proxy = await proxyTo(server.port, { delayMs: 100 });
    const client = await connect(proxy.port);
    const received = collect(client);
    for (let i = 0; i < 5; i += 1) expect(await roundTrip(client, received, Buffer.from(`ping ${i}`))).toBeGreaterThanOrEqual(200 - EPSILON_MS);
    expect(received.data().toString()).toBe('ping 0ping 1ping 2ping 3ping 4');
  });

  it('delays each direction by its own amount', async () => {
    const server = await testServer(echo);
    const proxy = await proxyTo(server.port, { up: { delayMs: 250 }, down: { delayMs: 50 } });
    const client = await connect(proxy.port);
    expect(await roundTrip(client, collect(client), Buffer.from('x'))).toBeGreaterThanOrEqual(300 - EPSILON_MS);
    expect(proxy.stats()).toMatchObject({ up: { delayMs: 250 }, down: { delayMs: 50 } });
  });
});

describe('WanProxy: bandwidth', () => {
  it('2 MB at 8 Mbit/s take at least 2 s, each direction', async () => {
    const payload = randomBytes(2_000_000);
    const server = await testServer();
    const proxy = await proxyTo(server.port, { rateBytesPerSecond: mbitToBytesPerSecond(8) });
    const client = await connect(proxy.port);
    const far = collect(await server.next());
    const near = collect(client);

    let start = performance.now();
    client.write(payload);
    await far.until(payload.length);
    expect(far.lastAt() - start).toBeGreaterThanOrEqual(2_000 - EPSILON_MS);

    start = performance.now();
    server.sockets[0]!.write(payload);
    await near.until(payload.length);
    expect(near.lastAt() - start).toBeGreaterThanOrEqual(2_000 - EPSILON_MS);
    expect(sha256(far.data())).toBe(sha256(payload));
    expect(sha256(near.data())).toBe(sha256(payload));
    expect(proxy.stats()).toMatchObject({ up: { bytes: payload.length }, down: { bytes: payload.length } });
  });

  it('shares the rate between connections, as one link', async () => {
    const server = await testServer();
    const proxy = await proxyTo(server.port, { rateBytesPerSecond: mbitToBytesPerSecond(8) });
    const clients = [await connect(proxy.port), await connect(proxy.port)];
    const fars = [collect(await server.next()), collect(await server.next())];
    const start = performance.now();
    for (const client of clients) client.write(randomBytes(500_000));
    await Promise.all(fars.map((far) => far.until(500_000)));
    expect(Math.max(...fars.map((far) => far.lastAt())) - start).toBeGreaterThanOrEqual(1_000 - EPSILON_MS);
  });
});

describe('WanProxy: integrity', () => {
  it('delivers every byte intact and in order under delay and rate, for many chunk sizes and connections at once', async () => {
    const server = await testServer(echo);
    const proxy = await proxyTo(server.port, { delayMs: 20, rateBytesPerSecond: mbitToBytesPerSecond(80), bufferBytes: 256 * 1024 });
    const sizes = [[1], [7, 1_500, 3], [16 * 1024], [16 * 1024 + 1, 65_536, 200_000], [333, 70_000, 1, 9_000]];
    await Promise.all(sizes.map(async (chunkSizes, i) => {
      const payload = randomBytes(600_000 + i * 123);
      const client = await connect(proxy.port);
      const received = collect(client);
      const ended = closed(client);
      await writeInChunks(client, payload, chunkSizes);
      // The FIN crosses after the bytes; the echo server ends in turn, and that end comes back last.
      client.end();
      await received.until(payload.length);
      expect((await ended).ended).toBe(true);
      expect(received.bytes()).toBe(payload.length);
      expect(sha256(received.data())).toBe(sha256(payload));
    }));
    const stats = proxy.stats();
    const total = sizes.reduce((sum, _, i) => sum + 600_000 + i * 123, 0);
    expect(stats.up.bytes).toBe(total);
    expect(stats.down.bytes).toBe(total);
    expect(stats.connections.accepted).toBe(sizes.length);
    await expect.poll(() => proxy.stats().connections.open, WAIT).toBe(0);
  });
});

describe('WanProxy: bounded memory', () => {
  const bound = 256 * 1024;

  it('a fast sender into a slow link is held back by TCP: the proxy never holds more than its bound', async () => {
    const server = await testServer();
    const proxy = await proxyTo(server.port, { rateBytesPerSecond: mbitToBytesPerSecond(16), delayMs: 50, bufferBytes: bound });
    const client = await connect(proxy.port);
    const far = collect(await server.next());
    const payload = randomBytes(6_000_000);
    client.write(payload);
    await far.until(payload.length);
    expect(sha256(far.data())).toBe(sha256(payload));
    // The buffer did fill (the link is the bottleneck), and never past the bound.
    expect(proxy.stats().up.peakBufferedBytes).toBeGreaterThan(bound / 2);
    expect(proxy.stats().up.peakBufferedBytes).toBeLessThanOrEqual(bound);
  });

  it('a receiver that stops reading holds the sender back too, and gets everything once it reads again', async () => {
    const server = await testServer();
    const proxy = await proxyTo(server.port, { bufferBytes: bound });
    const client = await connect(proxy.port);
    const farSocket = await server.next();
    farSocket.pause();
    // More than every kernel buffer on the way can absorb.
    const payload = randomBytes(40_000_000);
    client.write(payload);
    await expect.poll(() => proxy.stats().up.bufferedBytes, WAIT).toBeGreaterThan(bound / 2);
    await staysTrue(() => Promise.resolve(proxy.stats().up.peakBufferedBytes <= bound), 1_000);
    // The rest waits in the sender's own socket: back-pressure reached it.
    expect(client.writableLength).toBeGreaterThan(0);
    const far = collect(farSocket);
    farSocket.resume();
    await far.until(payload.length);
    expect(sha256(far.data())).toBe(sha256(payload));
    expect(proxy.stats().up.peakBufferedBytes).toBeLessThanOrEqual(bound);
  });
});

describe('WanProxy: faults', () => {
  it('cut() resets both ends of every connection and refuses new ones until heal()', async () => {
    const server = await testServer(echo);
    const proxy = await proxyTo(server.port, { delayMs: 30 });
    const client = await connect(proxy.port);
    const received = collect(client);
    await roundTrip(client, received, Buffer.from('hello'));
    const serverSide = server.sockets[0]!;
    const [clientClosed, serverClosed] = [closed(client), closed(serverSide)];
    proxy.cut();
    expect(await clientClosed).toMatchObject({ error: 'ECONNRESET' });
    expect(await serverClosed).toMatchObject({ error: 'ECONNRESET' });
    expect(proxy.stats().state).toBe('cut');

    const refused = createConnection({ host: '127.0.0.1', port: proxy.port });
    onTestFinished(() => void refused.destroy());
    expect(await closed(refused)).toMatchObject({ error: 'ECONNRESET' });
    expect(proxy.stats().connections.refused).toBe(1);
    expect(server.sockets).toHaveLength(1);

    proxy.heal();
    const again = await connect(proxy.port);
    expect(await roundTrip(again, collect(again), Buffer.from('again'))).toBeGreaterThanOrEqual(60 - EPSILON_MS);
  });

  it('blackhole() passes nothing and closes nothing (no FIN, no RST); heal() lets held bytes and new connections through', async () => {
    const server = await testServer();
    const proxy = await proxyTo(server.port, { delayMs: 20 });
    const client = await connect(proxy.port);
    const serverSide = await server.next();
    const [near, far] = [collect(client), collect(serverSide)];
    client.write('before');
    await far.until(6);
    let anyClosed = false;
    for (const socket of [client, serverSide]) socket.on('close', () => (anyClosed = true)).on('end', () => (anyClosed = true));

    proxy.blackhole();
    client.write('held up');
    serverSide.write('held down');
    // A new connection is accepted but its server is not even dialled, and it hears nothing.
    const late = await connect(proxy.port);
    const lateReceived = collect(late);
    late.write('late');
    await staysTrue(() => Promise.resolve(!anyClosed && far.bytes() === 6 && near.bytes() === 0 && server.sockets.length === 1 && lateReceived.bytes() === 0 && !late.destroyed), 3_000);
    expect(proxy.stats()).toMatchObject({ state: 'blackholed', up: { bytes: 6 }, down: { bytes: 0 } });
    expect(proxy.links().map((link) => link.clientClosed)).toEqual([false, false]);

    proxy.heal();
    await far.until(6 + 'held up'.length);
    await near.until('held down'.length);
    expect(far.data().toString()).toBe('beforeheld up');
    expect(near.data().toString()).toBe('held down');
    const lateServer = await server.next();
    const lateFar = collect(lateServer);
    await lateFar.until(4);
    expect(lateFar.data().toString()).toBe('late');
    expect(anyClosed).toBe(false);
  });

  it('records a client that gives up while the link is blackholed', async () => {
    const server = await testServer();
    const proxy = await proxyTo(server.port);
    const client = await connect(proxy.port);
    await server.next();
    proxy.blackhole();
    client.destroy();
    await expect.poll(() => proxy.links()[0]?.clientClosed, WAIT).toBe(true);
    expect(proxy.links()[0]?.clientClosedWhileDark).toBe(true);
  });
});

describe('WanProxy: changes at runtime', () => {
  it('a new delay and a new rate apply to open connections', async () => {
    const server = await testServer(echo);
    const proxy = await proxyTo(server.port);
    const client = await connect(proxy.port);
    const received = collect(client);
    await roundTrip(client, received, Buffer.from('warm'));

    proxy.setDelay(150);
    expect(await roundTrip(client, received, Buffer.from('slow'))).toBeGreaterThanOrEqual(300 - EPSILON_MS);
    proxy.setDelay(250, 'down');
    expect(await roundTrip(client, received, Buffer.from('slower'))).toBeGreaterThanOrEqual(400 - EPSILON_MS);

    proxy.setDelay(0);
    proxy.setRate(mbitToBytesPerSecond(4), 'up');
    // 500 kB at 4 Mbit/s (500 kB/s) one way: at least 1 s.
    expect(await roundTrip(client, received, randomBytes(500_000))).toBeGreaterThanOrEqual(1_000 - EPSILON_MS);

    // Lifting the limit mid-transfer lets the rest through at once: well under the 100 s the old rate would need.
    proxy.setRate(mbitToBytesPerSecond(0.4), 'up');
    const big = randomBytes(5_000_000);
    const before = received.bytes();
    client.write(big);
    await expect.poll(() => proxy.stats().up.bytes, WAIT).toBeGreaterThan(before + 16_000);
    proxy.setRate(0);
    await received.until(before + big.length);
    expect(sha256(received.data().subarray(before))).toBe(sha256(big));
  });
});
