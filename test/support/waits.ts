import { createServer } from 'node:net';
import { expect } from 'vitest';

/** Fails if `condition` turns false at any check during `ms` (for "nothing happens" claims). */
export async function staysTrue(condition: () => Promise<boolean>, ms: number, everyMs = 100): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    expect(await condition()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A TCP port nothing listens on (bound once, then released): a server "out of reach". */
export async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
