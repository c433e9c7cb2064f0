import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { WanProxy, mbitToBytesPerSecond, type WanProxyOptions } from '../services/index.ts';

/**
 * The WAN proxy's own limits, for docs/wan-proxy.md: its throughput ceiling on loopback with no
 * limits (against a direct connection), and how close it keeps to a set rate. Run with
 * `npx tsx bench/wan-proxy-limits.ts`; prints one JSON object.
 */

interface Sink {
  server: Server;
  port: number;
  /** Resolves with the ms from `start` to the arrival of byte number `bytes`. */
  received(bytes: number, start: number): Promise<number>;
}

async function sink(): Promise<Sink> {
  let waiter: { bytes: number; start: number; resolve: (ms: number) => void } | undefined;
  let total = 0;
  const server = createServer((socket) => socket.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (waiter !== undefined && total >= waiter.bytes) {
      waiter.resolve(performance.now() - waiter.start);
      waiter = undefined;
    }
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, port, received: (bytes, start) => new Promise((resolve) => (waiter = { bytes: total + bytes, start, resolve })) };
}

async function send(port: number, bytes: number, target: Sink): Promise<number> {
  const socket: Socket = createConnection({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  const chunk = Buffer.alloc(64 * 1024, 7);
  const start = performance.now();
  const arrived = target.received(bytes, start);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  const ms = await arrived;
  socket.destroy();
  return ms;
}

async function through(options: Omit<WanProxyOptions, 'target'>, bytes: number): Promise<{ ms: number; mbPerSecond: number; mbitPerSecond: number }> {
  const target = await sink();
  const proxy = await WanProxy.start({ target: { host: '127.0.0.1', port: target.port }, ...options });
  const ms = await send(proxy.port, bytes, target);
  await proxy.close();
  target.server.close();
  return { ms: Math.round(ms), mbPerSecond: round(bytes / 1e6 / (ms / 1000)), mbitPerSecond: round((bytes * 8) / 1e6 / (ms / 1000)) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

const MB = 1_000_000;
const direct = await sink();
const directMs = await send(direct.port, 500 * MB, direct);
direct.server.close();
const noLimits = await through({}, 500 * MB);
const delay100 = await through({ delayMs: 100 }, 200 * MB);
const rate20 = await through({ rateBytesPerSecond: mbitToBytesPerSecond(20) }, 25 * MB);
const rate20delay100 = await through({ rateBytesPerSecond: mbitToBytesPerSecond(20), delayMs: 100 }, 25 * MB);
console.log(JSON.stringify({
  directLoopbackMBps: round((500 * MB) / 1e6 / (directMs / 1000)),
  noLimits,
  delay100msNoRate: delay100,
  rate20Mbit: { ...rate20, accuracy: round(rate20.mbitPerSecond / 20) },
  rate20MbitDelay100ms: { ...rate20delay100, accuracy: round(rate20delay100.mbitPerSecond / 20) },
}, null, 2));
