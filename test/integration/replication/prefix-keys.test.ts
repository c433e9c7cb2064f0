import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';

/**
 * A prefix unique key (`UNIQUE (name(4))`) makes rows conflict on their first 4 characters.
 * Each round deletes the row holding a prefix at the end of a large transaction, then
 * inserts another row with the same prefix in a small one. Applied in parallel (write-sets
 * that compared whole values looked disjoint), the small batch ran its insert while the
 * large one was still writing and met the old row: it was refused (under errorPolicy skip,
 * recorded and lost) and kept a lock on that row while waiting for its turn to commit, and
 * the large batch's DELETE waited for that lock: both stalled until the target's lock wait
 * timeout, then the pipeline retried. Seen in 2 runs of 2 before the fix. The write-set
 * now compares the prefix, so the two apply in order.
 */

const ROUNDS = 4;
const BULK_ROWS = 3000;

async function rows(pair: ReplicationPair, side: 'source' | 'target', sql: string): Promise<string> {
  const [result] = await pair[side].connection.query<RowDataPacket[]>(sql);
  return JSON.stringify(result);
}

/**
 * Waits until both tables are equal on both sides; fails at once on a skipped row, an exit,
 * or a failed attempt (a logged error code: the two batches waited on each other's locks
 * until the target's lock wait timeout, then the pipeline retried).
 */
async function expectConverged(ferry: FerryProcess, pair: ReplicationPair): Promise<void> {
  const queries = [`SELECT id, name FROM \`${pair.schema}\`.t ORDER BY id`, `SELECT COUNT(*) AS n, SUM(id) AS s FROM \`${pair.schema}\`.bulk`];
  const deadline = Date.now() + 180_000;
  for (;;) {
    const [skipped] = await pair.target.connection.query<RowDataPacket[]>('SELECT row_key, error FROM _ferry.skipped_rows WHERE pipeline = ?', [pair.schema]);
    expect(skipped, 'rows the target refused').toEqual([]);
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    if (exit !== null) throw new Error(`Ferry exited (${String(exit)})\n${ferry.output().split('\n').slice(-12).join('\n')}`);
    const failure = /"code":"(FERRY_ERR_\w+)"/.exec(ferry.output());
    if (failure) throw new Error(`an attempt failed with ${failure[1]}\n${ferry.output().split('\n').filter((line) => line.includes('"code"')).slice(0, 3).join('\n')}`);
    let same = true;
    for (const sql of queries) same &&= (await rows(pair, 'source', sql)) === (await rows(pair, 'target', sql));
    if (same) return;
    if (Date.now() > deadline) {
      for (const sql of queries) expect(await rows(pair, 'target', sql), sql).toBe(await rows(pair, 'source', sql));
    }
    await sleep(200);
  }
}

describe('bin/ferry run: prefix unique keys and parallel apply', () => {
  it('applies a delete and a re-insert of one prefix in order, never in parallel', async () => {
    const pair = await replicationPair();
    await pair.onBoth(`CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, UNIQUE KEY u_name (name(4)));
      CREATE TABLE bulk (id INT PRIMARY KEY, pad VARCHAR(100) NOT NULL)`);
    const ferry = startFerry(pair.runArgs(['--error-policy', 'skip', '--parallel', '4']));
    // Claimed: the checkpoint row exists, so every later source write is replicated.
    await expect.poll(async () => rows(pair, 'target', `SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = '${pair.schema}'`), { timeout: 60_000 }).not.toBe('[{"n":0}]');

    const src = pair.source.connection;
    await src.query(`USE \`${pair.schema}\``);
    for (let round = 0; round < ROUNDS; round++) {
      const prefix = `p${round}--`.slice(0, 4);
      await src.query(`INSERT INTO t VALUES (${round * 10 + 1}, '${prefix}first')`);
      await src.query(`BEGIN;
        INSERT INTO bulk SELECT seq + ${round * BULK_ROWS}, REPEAT('x', 100) FROM seq_1_to_${BULK_ROWS};
        DELETE FROM t WHERE id = ${round * 10 + 1};
        COMMIT`);
      await src.query(`INSERT INTO t VALUES (${round * 10 + 2}, '${prefix}second')`);
    }
    await expectConverged(ferry, pair);
    expect(JSON.parse(await rows(pair, 'target', `SELECT COUNT(*) AS n FROM \`${pair.schema}\`.t`))).toEqual([{ n: ROUNDS }]);
    expect(await ferry.kill('SIGTERM')).toBe(0);
  });
});
