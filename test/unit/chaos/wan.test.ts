import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChaosWan } from '../../../chaos/wan.ts';
import { silentLogger } from '../../../shared/logging.ts';

/** An echo server on a free port of 127.0.0.1, standing in for a node's pipe. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  // The proxy's close resets what is open: the echo's sockets see ECONNRESET, which is expected.
  const server = createServer((socket) => socket.on('error', () => undefined).pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

/** Connects to host:port and resolves with what comes back for `text`, or the error that ended the socket. */
function roundTrip(address: string, text: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), host, () => socket.write(text));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('the chaos WAN (one WanProxy per node pipe)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  it('carries every link, and cut, blackhole and heal act on all of them at once', async () => {
    const wan = new ChaosWan(silentLogger());
    cleanup.push(() => wan.close());
    const advertised: string[] = [];
    for (const node of ['node-1', 'node-2']) {
      const { server, port } = await echoServer();
      cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
      advertised.push(await wan.add(node, port, 0));
    }
    for (const address of advertised) expect(await roundTrip(address, 'hello')).toBe('hello');
    wan.cut();
    for (const address of advertised) expect(await roundTrip(address, 'hello')).toBe('ECONNRESET');
    expect(Object.values(wan.stats()).every((s) => s.state === 'cut' && s.connections.refused === 1)).toBe(true);
    wan.heal();
    for (const address of advertised) expect(await roundTrip(address, 'again')).toBe('again');
    wan.blackhole();
    expect(Object.values(wan.stats()).map((s) => s.state)).toEqual(['blackholed', 'blackholed']);
    wan.heal();
    expect(Object.values(wan.stats()).every((s) => s.state === 'up' && s.upBytes > 0)).toBe(true);
  });
});
