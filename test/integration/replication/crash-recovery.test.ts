import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload, seededRandom } from '../../support/workload.ts';

interface CheckpointRow {
  seq: number;
  gtid: string;
}

/** The newest checkpoint of the pair's pipeline in the target, as written by Load. */
async function newestCheckpoint(pair: ReplicationPair): Promise<CheckpointRow | undefined> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT seq, gtid_set FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1', [pair.schema]);
  const row = rows[0];
  return row ? { seq: Number(row.seq), gtid: String(row.gtid_set) } : undefined;
}

/** Sequence number of the source's domain in a MariaDB GTID position (the source is db1, domain 1). */
function sequenceOf(gtidSet: string): number {
  const entry = gtidSet.split(',').find((gtid) => gtid.startsWith('1-'));
  return entry ? Number(entry.split('-')[2]) : 0;
}

describe('bin/ferry run: crashes', () => {
  for (const fault of ['before-commit:3', 'after-commit:3']) {
    it(`kill -9 at ${fault} then restart: identical tables, checkpoint neither backwards nor skipping`, async () => {
      const pair = await replicationPair();
      await pair.onBoth(ITEMS_TABLE);
      const crashing = startFerry(pair.runArgs(['--batch-rows', '20']), { FERRY_FAULTS: fault });
      await expect.poll(() => crashing.output(), { timeout: 120_000 }).toContain('pipeline starting');
      const workload = runMixedWorkload(pair.source.connection, pair.schema, { transactions: 300, seed: 11 });
      expect(await crashing.exited).toBe('SIGKILL');
      expect(crashing.output()).toContain(`fault point ${fault.split(':')[0]} reached`);
      await workload;
      const atCrash = await newestCheckpoint(pair);
      expect(atCrash).toBeDefined();

      const restarted = startFerry(pair.runArgs(['--batch-rows', '20']));
      await expect.poll(() => restarted.output(), { timeout: 120_000 }).toContain('pipeline starting');
      // It resumes exactly from the checkpoint left by the crash.
      expect(restarted.output()).toContain(`"gtidSet":"${atCrash!.gtid}"`);
      await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
      const after = await newestCheckpoint(pair);
      expect(after!.seq).toBeGreaterThan(atCrash!.seq);
      expect(sequenceOf(after!.gtid)).toBeGreaterThan(sequenceOf(atCrash!.gtid));
    });
  }

  it('survives repeated kill -9 at random moments while the source writes', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const random = seededRandom(2026);
    // A new pipeline starts at the binlog end: let the first run start before the writes.
    let ferry = startFerry(pair.runArgs(['--batch-rows', '10']));
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    let writing = true;
    const workload = (async () => {
      let seed = 100;
      while (writing) await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 20, seed: seed++ });
    })();
    let previous: CheckpointRow | undefined;
    for (let round = 0; round < 4; round++) {
      if (round > 0) ferry = startFerry(pair.runArgs(['--batch-rows', String(5 + Math.floor(random() * 50))]));
      await expect.poll(async () => (await newestCheckpoint(pair))?.seq ?? 0, { timeout: 120_000 }).toBeGreaterThan(previous?.seq ?? 0);
      // Somewhere in the next 0-700 ms of applying: a random moment in the batch cycle.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 700)));
      await ferry.kill('SIGKILL');
      const now = await newestCheckpoint(pair);
      expect(sequenceOf(now!.gtid)).toBeGreaterThanOrEqual(sequenceOf(previous?.gtid ?? ''));
      previous = now;
    }
    writing = false;
    await workload;
    startFerry(pair.runArgs());
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
  });
});
