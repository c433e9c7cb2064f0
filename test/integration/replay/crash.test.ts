import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { progressAfter } from './replay-support.ts';

/**
 * kill -9 while a catch-up is being replayed, at the worst moments: after the BINLOG
 * statements and the checkpoint row, before COMMIT; and right after COMMIT, before anything
 * else heard of it. The restart resumes from the checkpoint and replays again: every row
 * once. A batch applied twice could not hide: the row applier is strict, so its inserts
 * (1062) or deletes (1032) would fail and the batch fall back to SQL, which the restarted
 * process would count in replayFallbacks.
 */
describe('bin/ferry run: crashes while replaying', () => {
  for (const fault of ['before-commit:3', 'after-commit:3']) {
    it(`kill -9 at ${fault} during a replayed catch-up, restart: identical tables, no batch applied twice`, async () => {
      const pair = await replicationPair();
      await pair.onBoth(ITEMS_TABLE);
      const args = pair.runArgs(['--batch-rows', '20', '--binlog-replay', 'require']);
      // A first run pins the start at the binlog end, then stops: the workload is a backlog.
      const first = startFerry(args);
      await expect.poll(() => first.output(), { timeout: 120_000 }).toContain('pipeline starting');
      expect(await first.kill('SIGTERM')).toBe(0);
      await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 300, seed: 17 });

      const crashing = startFerry(args, { FERRY_FAULTS: fault });
      expect(await crashing.exited).toBe('SIGKILL');
      expect(crashing.output()).toContain(`fault point ${fault.split(':')[0]} reached`);

      const restarted = startFerry(args);
      await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
      const progress = await progressAfter(restarted, Date.now());
      expect(progress.rowsApplied).toBeGreaterThan(0);
      expect(progress).toEqual({ rowsApplied: progress.rowsApplied, rowsReplayed: progress.rowsApplied, replayFallbacks: 0 });
    });
  }
});
