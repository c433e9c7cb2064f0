import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { seededRandom } from '../../../shared/seeded-random.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { expectSameRows, progressAfter } from './replay-support.ts';

/**
 * Replayed batches under a concurrent workload with `parallel: 4` (docs/replay.md,
 * write-sets): random key updates, unique values moved from row to row and keys deleted and
 * inserted again in consecutive transactions. Every row is replayed (a batch applied out of
 * order would make the strict row applier fail with 1032/1062 and fall back to SQL) and the
 * tables match.
 */
describe('bin/ferry run: replayed batches under a concurrent workload', () => {
  it('replays key updates, moved unique values and keys deleted and inserted again exactly, with no fallback', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE t (id INT PRIMARY KEY, k INT NOT NULL, u INT NULL, c CHAR(60) NOT NULL, UNIQUE KEY (u), KEY (k))');
    const dir = await mkdtemp(join(tmpdir(), 'ferry-replay-par-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'pipeline.yaml');
    await writeFile(config, [
      `name: ${pair.schema}`,
      `source: ${JSON.stringify(pair.source.replicationUrl)}`,
      `target: ${JSON.stringify(pair.target.url)}`,
      'tables:',
      `  - ${pair.schema}.*`,
      'binlogReplay: require',
      'parallel: 4',
      'batch: { maxRows: 20 }',
      '',
    ].join('\n'));
    const ferry = startFerry(['run', '--config', config, '--progress-seconds', '1']);
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');

    const ROWS = 600;
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, ${i % 50}, ${i + 1}, 'c${i + 1}')`);
    await db.query(`INSERT INTO t VALUES ${values.join(',')}`);
    const table = `\`${pair.schema}\`.t`;
    const target = pair.target.connection;
    await expect.poll(async () => Number((await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0][0]!.n), { timeout: 180_000 }).toBe(ROWS);

    // Three writers, each on its own ids and unique values (no deadlocks on the source).
    const writer = async (w: number, connection: Connection): Promise<void> => {
      const random = seededRandom(w + 11);
      await connection.query(`USE \`${pair.schema}\``);
      const pick = () => 1 + w + 3 * Math.floor(random() * (ROWS / 3));
      for (let i = 0; i < 150; i++) {
        const a = pick();
        const b = pick();
        switch (i % 3) {
          case 0:
            await connection.query(`UPDATE t SET k = k + 1, c = 'u${i}' WHERE id = ${a}`);
            await connection.query(`UPDATE t SET k = k + 2 WHERE id IN (${a}, ${b})`);
            break;
          case 1:
            // A unique value moved from one row to another in consecutive transactions.
            await connection.query(`UPDATE t SET u = NULL WHERE u = ${a} OR id = ${a}`);
            await connection.query(`UPDATE t SET u = ${a} WHERE id = ${b}`);
            await connection.query(`UPDATE t SET u = NULL WHERE u = ${b}`);
            await connection.query(`UPDATE t SET u = ${b}, k = k + 3 WHERE id = ${a}`);
            break;
          default:
            // A key deleted and inserted again in the next transaction.
            await connection.query(`DELETE FROM t WHERE id = ${a}`);
            await connection.query(`INSERT INTO t VALUES (${a}, ${i}, NULL, 'again${i}')`);
        }
      }
    };
    const writers = await Promise.all([0, 1, 2].map(() => mysql.createConnection(pair.source.url)));
    onTestFinished(() => Promise.all(writers.map((connection) => connection.end())).then(() => undefined));
    await Promise.all(writers.map((connection, w) => writer(w, connection)));

    await expectSameRows(ferry, { connection: db, schema: pair.schema, table: 't' }, { connection: target, schema: pair.schema, table: 't' }, 300_000);
    const counts = async (connection: Connection) => (await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, COUNT(u) AS u FROM ${table}`))[0][0];
    expect(await counts(target)).toEqual(await counts(db));
    const progress = await progressAfter(ferry, Date.now());
    expect(progress.replayFallbacks).toBe(0);
    expect(progress.rowsReplayed).toBe(progress.rowsApplied);
  });
});
