import { createHash, randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { onTestFinished } from 'vitest';

/** A server on 127.0.0.1 that keeps every socket it accepts (the far end of the proxy). */
export interface TestServer {
  server: Server;
  port: number;
  sockets: Socket[];
  /** Resolves with the next socket it accepts (or one already accepted and not yet taken). */
  next(): Promise<Socket>;
}

export async function testServer(onSocket: (socket: Socket) => void = () => undefined): Promise<TestServer> {
  const sockets: Socket[] = [];
  let taken = 0;
  const waiters: Array<(socket: Socket) => void> = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    sockets.push(socket);
    onSocket(socket);
    const waiter = waiters.shift();
    if (waiter) {
      taken += 1;
      waiter(socket);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  return {
    server, sockets, port: typeof address === 'object' && address ? address.port : 0,
    next: () => (taken < sockets.length ? Promise.resolve(sockets[taken++]!) : new Promise((resolve) => waiters.push(resolve))),
  };
}

/** Echoes what it reads, ending when the client ends. */
export function echo(socket: Socket): void {
  socket.pipe(socket);
}

export async function connect(port: number): Promise<Socket> {
  const socket = createConnection({ host: '127.0.0.1', port, allowHalfOpen: true });
  socket.on('error', () => undefined);
  onTestFinished(() => void socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Everything a socket receives, and when its byte count last changed. */
export interface Received {
  bytes(): number;
  data(): Buffer;
  /** performance.now() when the last byte came. */
  lastAt(): number;
  /** Resolves when at least `bytes` have come (rejects if the socket closes first). */
  until(bytes: number): Promise<void>;
}

export function collect(socket: Socket): Received {
  const chunks: Buffer[] = [];
  let length = 0;
  let lastAt = 0;
  let waiters: Array<{ bytes: number; resolve: () => void; reject: (error: Error) => void }> = [];
  const settle = () => {
    waiters = waiters.filter((waiter) => (length >= waiter.bytes ? (waiter.resolve(), false) : true));
  };
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
    lastAt = performance.now();
    settle();
  });
  socket.once('close', () => {
    for (const waiter of waiters) waiter.reject(new Error(`closed after ${length} of ${waiter.bytes} bytes`));
    waiters = [];
  });
  return {
    bytes: () => length,
    data: () => Buffer.concat(chunks),
    lastAt: () => lastAt,
    until: (bytes) => new Promise<void>((resolve, reject) => {
      waiters.push({ bytes, resolve, reject });
      settle();
    }),
  };
}

/** Writes `data` in chunks of the given sizes, cycling, respecting back-pressure. */
export async function writeInChunks(socket: Socket, data: Buffer, sizes: number[]): Promise<void> {
  let offset = 0;
  for (let i = 0; offset < data.length; i += 1) {
    const size = sizes[i % sizes.length]!;
    const ok = socket.write(data.subarray(offset, offset + size));
    offset += size;
    if (!ok) await new Promise((resolve) => socket.once('drain', resolve));
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export { randomBytes };

/** Resolves when `socket` closes, with whether it saw an end (FIN) or an error (a reset). */
export function closed(socket: Socket): Promise<{ ended: boolean; error: string | undefined }> {
  let ended = false;
  let error: string | undefined;
  socket.on('end', () => (ended = true));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  return new Promise((resolve) => {
    if (socket.destroyed) resolve({ ended, error });
    else socket.once('close', () => resolve({ ended, error }));
  });
}
