import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { seededRandom } from '../../support/workload.ts';
import { expectIdentical, masters, onEach, pipelineFile, ROWS_TABLE, runPipeline, waitForQuietBinlogs } from './loops-support.ts';

const S = 'hot';

/**
 * Updates of random rows among `rows` (1 to 3 a transaction), each leaving an image no other
 * write leaves (the origin and the transaction in `note`). Deletes and re-inserts of one key on
 * both masters are conflicts-echo.test.ts's (docs/bidirectional.md, "Echoes").
 */
async function hotUpdates(connection: Connection, table: string, options: { rows: number; transactions: number; seed: number; origin: string }): Promise<void> {
  const random = seededRandom(options.seed);
  for (let t = 0; t < options.transactions; t++) {
    try {
      await connection.query('BEGIN');
      const statements = 1 + Math.floor(random() * 3);
      for (let s = 0; s < statements; s++) {
        await connection.query(`UPDATE ${table} SET qty = qty + 1, origin = ?, note = ? WHERE id = ?`, [options.origin, `${options.origin}${t}.${s}`, 1 + Math.floor(random() * options.rows)]);
      }
      await connection.query('COMMIT');
    } catch (error) {
      // A deadlock with Ferry's apply of the other master's rows: rolled back, as an application would see it.
      if (![1213, 1205].includes((error as { errno?: number }).errno ?? 0)) throw error;
      await connection.query('ROLLBACK');
    }
  }
}

async function conflictsBy(connection: Connection): Promise<Array<{ pipeline: string; decision: string; n: number }>> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT pipeline, decision, COUNT(*) AS n FROM _ferry.conflicts GROUP BY pipeline, decision ORDER BY pipeline, decision');
  return rows.map((row) => ({ pipeline: String(row.pipeline), decision: String(row.decision), n: Number(row.n) }));
}

describe('bidirectional channel under load: both masters writing the same hot rows', () => {
  it('primary-wins converges: both masters identical, binlogs at rest, the conflicts listed on both', async () => {
    const [a, b] = await masters(await scratchMariaDbs(2));
    await onEach([a!, b!], S, ROWS_TABLE.replace('%s', 'items'));
    const channel = (mirror: string, primary: boolean) => ({ extra: { bidirectional: { mirror, primary, conflicts: 'primary-wins' } } });
    await runPipeline(pipelineFile('a-to-b', a!, b!, [`${S}.*`], channel('b-to-a', true)));
    await runPipeline(pipelineFile('b-to-a', b!, a!, [`${S}.*`], channel('a-to-b', false)));

    // Updates of the same 20 rows on both masters at once.
    await onEach([a!, b!], S, "INSERT INTO items (id, origin, qty) SELECT seq, 'base', 0 FROM seq_1_to_20");
    await Promise.all([
      hotUpdates(await a!.server.connect(), `${S}.items`, { rows: 20, transactions: 200, seed: 11, origin: 'a' }),
      hotUpdates(await b!.server.connect(), `${S}.items`, { rows: 20, transactions: 200, seed: 12, origin: 'b' }),
    ]);
    // Then certain conflicts: both masters change rows 100-109 in transactions open at the same
    // time, so each direction's apply waits for the other master's commit and meets its rows.
    await onEach([a!, b!], S, "INSERT INTO items (id, origin, qty) SELECT seq, 'base', 0 FROM seq_100_to_109");
    await expectIdentical([a!.connection, b!.connection], S, 'items');
    const [ta, tb] = [await a!.server.connect(), await b!.server.connect()];
    await ta.query(`BEGIN; UPDATE ${S}.items SET origin = 'a', qty = 1 WHERE id BETWEEN 100 AND 109`);
    await tb.query(`BEGIN; UPDATE ${S}.items SET origin = 'b', qty = 2 WHERE id BETWEEN 100 AND 109`);
    await Promise.all([ta.query('COMMIT'), tb.query('COMMIT')]);

    await waitForQuietBinlogs([a!.connection, b!.connection]);
    await expectIdentical([a!.connection, b!.connection], S, 'items');
    const [hot] = await a!.connection.query<RowDataPacket[]>(`SELECT DISTINCT origin, qty FROM ${S}.items WHERE id BETWEEN 100 AND 109`);
    expect(hot).toEqual([{ origin: 'a', qty: 1 }]);
    // On B the primary's direction wrote its version; on A the other direction kept A's.
    const onB = await conflictsBy(b!.connection);
    const onA = await conflictsBy(a!.connection);
    expect(onB.every((c) => c.pipeline === 'a-to-b' && c.decision === 'applied')).toBe(true);
    expect(onA.every((c) => c.pipeline === 'b-to-a' && c.decision === 'skipped')).toBe(true);
    expect(onB[0]?.n).toBeGreaterThanOrEqual(10);
    expect(onA[0]?.n).toBeGreaterThanOrEqual(10);
  });
});
