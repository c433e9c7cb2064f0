import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_ROWS } from '../../../node/verify/table-verifier.ts';
import { runFerry } from '../../support/cli.ts';
import { replicationPair } from '../../support/mariadb.ts';

/**
 * Issue #15, verify's speed kept exact: at the default chunk size (no --chunk-rows), rows
 * changed at a chunk's edges, one row missing at each end, extras between and beyond the
 * source's keys, and the same change made to two rows of one chunk (which a linear row hash
 * such as CRC32 would cancel in the chunk's XOR) are each named. Real MariaDB, bin/ferry
 * verify as a child process.
 */

const ROWS = 40_000;
const TABLE = 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, at DATETIME(6) NOT NULL, flag TINYINT NOT NULL)';

interface Report { tables: Array<{ rows: number; missing: number; extra: number; different: number; samples: Record<'missing' | 'extra' | 'different', unknown[][]> }> }

describe('bin/ferry verify at its default chunk size', () => {
  it('names every row that differs, at chunk edges and where equal changes to two rows of a chunk would cancel in a linear hash', async () => {
    expect(DEFAULT_CHUNK_ROWS * 3).toBeLessThan(ROWS);
    const pair = await replicationPair();
    await pair.onBoth(TABLE);
    // Even keys 2..2*ROWS, so odd keys can be added as extras between them.
    for (let from = 0; from < ROWS; from += 5_000) {
      const rows = Array.from({ length: 5_000 }, (_, i) => [(from + i + 1) * 2, `item-${from + i}`, `2026-12-07 10:00:00.${String(from + i).padStart(6, '0')}`, 0]);
      for (const db of [pair.source, pair.target]) await db.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ?`, [rows]);
    }
    const edge = DEFAULT_CHUNK_ROWS * 2;
    const t = pair.target.connection;
    const s = pair.schema;
    await t.query(`DELETE FROM \`${s}\`.items WHERE id IN (2, ${ROWS * 2})`);
    await t.query(`UPDATE \`${s}\`.items SET name = 'changed' WHERE id IN (${edge}, ${edge + 2})`);
    // The same change, in the row's last column, to two rows of the third chunk, which differs in nothing else.
    const [twinA, twinB] = [edge * 2 + 1000, edge * 2 + 1200];
    await t.query(`UPDATE \`${s}\`.items SET flag = 1 WHERE id IN (${twinA}, ${twinB})`);
    await t.query(`INSERT INTO \`${s}\`.items VALUES (${edge + 1}, 'extra', '2026-01-01', 0), (${ROWS * 2 + 1}, 'extra', '2026-01-01', 0)`);

    const result = await runFerry(['verify', '--source', pair.source.url, '--target', pair.target.url, '--tables', `${s}.items`, '--json'], { timeoutMs: 300_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const [table] = (JSON.parse(result.stdout) as Report).tables;
    expect(table).toMatchObject({ rows: ROWS, missing: 2, extra: 2, different: 4 });
    expect(table!.samples.missing).toEqual([[2], [ROWS * 2]]);
    expect(table!.samples.extra).toEqual([[edge + 1], [ROWS * 2 + 1]]);
    expect(table!.samples.different).toEqual([[edge], [edge + 2], [twinA], [twinB]]);
  }, 600_000);
});
