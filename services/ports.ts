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

/** Linux hands out outgoing connections' local ports from 32768 up (ip_local_port_range). */
const EPHEMERAL_PORTS_FROM = 32_768;
const LOWEST_BASE = 10_000;

/**
 * A base port such that base+offset is free for every offset given; tries random bases
 * from 10000 such that every port stays below the ephemeral range: a port free when checked
 * there can be taken by any client's outgoing connection before the server binds it (seen
 * under load). Used by tests and the benchmark so they never collide with a developer's
 * `services up` or with system services.
 */
export async function findFreeBase(offsets: number[]): Promise<number> {
  const span = EPHEMERAL_PORTS_FROM - LOWEST_BASE - Math.max(...offsets) - 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = LOWEST_BASE + Math.floor(Math.random() * span);
    const free = await Promise.all(offsets.map((o) => isPortFree(base + o)));
    if (free.every(Boolean)) return base;
  }
  throw new FerryError('FERRY_ERR_SERVICES_PORT_IN_USE', { port: 'any', what: 'a free port range' });
}
