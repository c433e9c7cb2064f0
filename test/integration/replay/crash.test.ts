import { describe, expect, it } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { lastProgress, type Progress } from './replay-support.ts';

/** The first progress line written after `since` (ms since the epoch): the stats once everything before it committed. */
async function progressAfter(ferry: FerryProcess, since: number): Promise<Progress> {
  const after = (): boolean => ferry.output().split('\n').some((line) => line.includes('"msg":"progress"') && (JSON.parse(line) as { time: number }).time > since);
  await expect.poll(after, { timeout: 120_000, interval: 200 }).toBe(true);
  return lastProgress(ferry);
}

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
