import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { patient } from '../../support/waits.ts';
import { expectIdentical, masters, onEach, pipelineFile, ROWS_TABLE, runPipeline, waitForQuietBinlogs } from './loops-support.ts';

const S = 'echo';

async function rowsOf(connection: Connection): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT id, origin FROM ${S}.items ORDER BY id`);
  return rows.map((row) => `${String(row.id)}:${String(row.origin)}`);
}

async function pinnedCheckpoints(connection: Connection): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT COUNT(DISTINCT pipeline) AS n FROM _ferry.checkpoints').catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
  return Number(rows[0]!.n);
}

/**
 * docs/bidirectional.md, 3, "Echoes", the interleaving that left the masters different before
 * echoes, made in this order with real processes: A the primary; B inserts key 7; A inserts
 * it and deletes it; B -> A reaches A first (A holds no 7, as B's insert expects: A takes B's
 * row); then A -> B: A's insert over B's row (a conflict the primary wins), A's delete, and
 * the echo of B's row that B -> A wrote on A. Without echoes B ends with no row 7 and A with
 * B's; with them both hold B's row. (Random schedules of inserts, updates and deletes of the
 * same keys on both masters are replayed at the policy level in test/unit/load/echo-policy.test.ts,
 * with the one interleaving echoes leave open.)
 */
describe('bidirectional channel: echoes', () => {
  it('a delete on the primary, then the other side\'s insert of that key reaching it: the echo brings the insert to the other side, both masters end identical', async () => {
    const [a, b] = await masters(await scratchMariaDbs(2));
    await onEach([a!, b!], S, ROWS_TABLE.replace('%s', 'items'));
    const channel = (mirror: string, primary: boolean) => ({ extra: { bidirectional: { mirror, primary, conflicts: 'primary-wins' } } });
    const aToB = pipelineFile('a-to-b', a!, b!, [`${S}.*`], channel('b-to-a', true));
    const bToA = pipelineFile('b-to-a', b!, a!, [`${S}.*`], channel('a-to-b', false));

    // Both directions pin their start (a checkpoint each), then stop: nothing replicates the writes below yet.
    const first = [await runPipeline(aToB), await runPipeline(bToA)];
    await expect.poll(async () => (await pinnedCheckpoints(a!.connection)) + (await pinnedCheckpoints(b!.connection)), { timeout: patient(120_000) }).toBe(2);
    for (const ferry of first) await ferry.kill('SIGTERM');

    await b!.connection.query(`INSERT INTO ${S}.items VALUES (7, 'b', 1, 'from b')`);
    await a!.connection.query(`INSERT INTO ${S}.items VALUES (7, 'a', 1, 'from a')`);
    await a!.connection.query(`DELETE FROM ${S}.items WHERE id = 7`);

    // B -> A alone first: A holds no row 7, as B's insert expects, so A takes B's row.
    await runPipeline(bToA);
    await expect.poll(() => rowsOf(a!.connection), { timeout: patient(120_000) }).toEqual(['7:b']);
    // Then A -> B: A's insert (over B's row), A's delete, then the echo of B's row.
    await runPipeline(aToB);

    await waitForQuietBinlogs([a!.connection, b!.connection]);
    await expectIdentical([a!.connection, b!.connection], S, 'items');
    expect(await rowsOf(b!.connection)).toEqual(['7:b']);
  });
});
