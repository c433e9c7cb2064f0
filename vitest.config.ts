import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no server; `integration` runs against real ZooKeeper and MariaDB
// that test/support/global-setup.ts starts once per run through `bin/ferry services`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Unit tests first: fast feedback before the servers start.
          sequence: { groupOrder: 0 },
          // A few use real timers and sockets; a loaded machine must not fail them by the clock.
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          sequence: { groupOrder: 1 },
          // Generous: waits inside tests give up after minutes on a loaded machine (test/support/waits.ts).
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // Two cores: more workers only make the servers and the tests fight for CPU.
          maxWorkers: 2,
        },
      },
    ],
  },
});
