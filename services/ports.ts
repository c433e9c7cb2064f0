import { createServer, connect } from 'node:net';
import { FerryError } from '../shared/errors/index.ts';

/** True when nothing listens on 127.0.0.1:port and we may bind it. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortsFree(wanted: Array<{ port: number; what: string }>): Promise<void> {
  for (const { port, what } of wanted) {
    if (!(await isPortFree(port))) throw new FerryError('FERRY_ERR_SERVICES_PORT_IN_USE', { port, what });
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A base port such that base+offset is free for every offset given; tries random bases in
 * [20000, 60000). Used by tests and the benchmark so they never collide with a developer's
 * `services up` or with system services.
 */
export async function findFreeBase(offsets: number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 35_000);
    const free = await Promise.all(offsets.map((o) => isPortFree(base + o)));
    if (free.every(Boolean)) return base;
  }
  throw new FerryError('FERRY_ERR_SERVICES_PORT_IN_USE', { port: 'any', what: 'a free port range' });
}
