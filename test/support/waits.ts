import { createServer } from 'node:net';
import { expect } from 'vitest';

/**
 * The shortest deadline any wait in the integration tests gets. A deadline only decides how
 * long a failing test takes to say so; on a shared 2-core machine (CI, a benchmark beside
 * the suite) a healthy cluster can need tens of seconds for what takes one on a quiet one,
 * so waits never fail sooner than this. Speed is measured by the benchmark, not asserted here.
 */
export const MIN_WAIT_MS = 120_000;

/** `ms`, raised to MIN_WAIT_MS. */
export function patient(ms: number): number {
  return Math.max(ms, MIN_WAIT_MS);
}

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
