import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readRecentConflicts } from '../../../node/load/conflict-store.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';

/** `bin/ferry run` of the pair with detectConflicts on (a pipeline file: there is no flag for it). */
function startDetecting(pair: ReplicationPair) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-conflicts-'));
  const file = join(dir, 'pipeline.json');
  writeFileSync(file, JSON.stringify({ name: pair.schema, source: pair.source.replicationUrl, target: pair.target.url, tables: [`${pair.schema}.*`], detectConflicts: true }));
  return startFerry(['run', '--config', file, '--progress-seconds', '1']);
}

async function conflictsOf(pair: ReplicationPair): Promise<RowDataPacket[]> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>(
    'SELECT table_name, row_key, kind, policy, decision, incoming, current FROM _ferry.conflicts WHERE pipeline = ? ORDER BY id',
    [pair.schema],
  );
  return rows;
}

// Values whose comparison is easy to get wrong: text with trailing spaces and case in a
// case-insensitive collation, FLOAT and DOUBLE that are not exact decimals, DATETIME(6),
// DECIMAL, BLOB, JSON text and NULLs.
const TABLE = `(
  id INT PRIMARY KEY,
  email VARCHAR(60) NULL UNIQUE,
  name VARCHAR(20) COLLATE utf8mb4_general_ci NULL,
  f FLOAT NULL, d DOUBLE NULL, dt DATETIME(6) NULL, amount DECIMAL(12,4) NULL,
  b BLOB NULL, j JSON NULL, n INT NULL
)`;
const row = (id: number) => `(${id}, 'u${id}@example.com', 'Ab ', 1.1, 0.1, '2026-12-07 10:11:12.123456', 12.3400, X'00ff10', '{"a": [1, 2.5, "x"]}', NULL)`;

describe('one-way pipeline with detectConflicts', () => {
  it('compares images exactly: writes of unchanged rows find no conflict', async () => {
    const pair = await replicationPair();
    await pair.onBoth(`CREATE TABLE people ${TABLE}`);
    // A text key: checked by its own statement form (not the integer keys' join).
    await pair.onBoth('CREATE TABLE tags (name VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, f FLOAT, note VARCHAR(10) NULL)');
    const ferry = startDetecting(pair);
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    const people = `\`${pair.schema}\`.people`;
    const tags = `\`${pair.schema}\`.tags`;
    await pair.source.connection.query(`INSERT INTO ${people} VALUES ${[1, 2, 3, 4].map(row).join(',')}`);
    await pair.source.connection.query(`INSERT INTO ${people} (id) VALUES (5)`);
    await pair.source.connection.query(`INSERT INTO ${tags} VALUES ('Red ', 0.3, NULL), ('blue', -1.7e-5, 'x')`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'people');
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'tags');
    // Every row's before image is the target's row, value for value: no conflict.
    await pair.source.connection.query(`UPDATE ${people} SET n = id * 10`);
    await pair.source.connection.query(`DELETE FROM ${people} WHERE id = 4`);
    await pair.source.connection.query(`UPDATE ${tags} SET note = 'y'`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'people');
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'tags');
    expect(await conflictsOf(pair)).toEqual([]);
    expect(ferry.child.exitCode).toBeNull();
  });

  it("records a target changed behind Ferry's back (update, delete, insert, unique key) and writes the source's version", async () => {
    const pair = await replicationPair();
    await pair.onBoth(`CREATE TABLE people ${TABLE}`);
    const ferry = startDetecting(pair);
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    const people = `\`${pair.schema}\`.people`;
    await pair.source.connection.query(`INSERT INTO ${people} VALUES ${[1, 2, 3, 4].map(row).join(',')}`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'people');

    const target = pair.target.connection;
    await target.query(`UPDATE ${people} SET n = 7 WHERE id = 1`);
    await target.query(`DELETE FROM ${people} WHERE id = 2`);
    // Only the case differs: equal under the column's collation, a different value all the same.
    await target.query(`UPDATE ${people} SET name = 'AB ' WHERE id = 3`);
    await target.query(`UPDATE ${people} SET n = 8 WHERE id = 4`);
    await target.query(`INSERT INTO ${people} (id, name) VALUES (9, 'target')`);
    await target.query(`INSERT INTO ${people} (id, email) VALUES (100, 'shared@example.com')`);

    await pair.source.connection.query(`UPDATE ${people} SET n = 1 WHERE id IN (1, 2, 3)`);
    await pair.source.connection.query(`DELETE FROM ${people} WHERE id = 4`);
    await pair.source.connection.query(`INSERT INTO ${people} (id, name) VALUES (9, 'source')`);
    await pair.source.connection.query(`INSERT INTO ${people} (id, email) VALUES (10, 'shared@example.com')`);
    // The source's version everywhere: row 100, the target's own, gave way to row 10.
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'people');

    const table = `${pair.schema}.people`;
    const recorded = await conflictsOf(pair);
    expect(recorded.map((r): unknown[] => [JSON.parse(String(r.row_key)) as unknown, r.kind, r.policy, r.decision, r.table_name])).toEqual([
      [{ id: 1 }, 'mismatch', 'source-wins', 'applied', table],
      [{ id: 2 }, 'missing', 'source-wins', 'applied', table],
      [{ id: 3 }, 'mismatch', 'source-wins', 'applied', table],
      [{ id: 4 }, 'mismatch', 'source-wins', 'applied', table],
      [{ id: 9 }, 'exists', 'source-wins', 'applied', table],
      [{ id: 10 }, 'unique-key', 'source-wins', 'applied', table],
    ]);
    const first = recorded[0]!;
    expect(JSON.parse(String(first.current))).toMatchObject({ id: 1, n: 7, b: { hex: '00ff10' } });
    expect(JSON.parse(String(first.incoming))).toMatchObject({ id: 1, n: 1 });
    expect(recorded[1]!.current).toBeNull();
    expect(recorded[3]!.incoming).toBeNull();
    expect(JSON.parse(String(recorded[5]!.current))).toMatchObject({ id: 100, email: 'shared@example.com' });

    const pool = mysql.createPool({ uri: pair.target.url, connectionLimit: 1 });
    onTestFinished(() => pool.end());
    const listed = await readRecentConflicts(pool, '_ferry', pair.schema, 2);
    expect(listed.total).toBe(6);
    expect(listed.recent.map((r) => [r.key, r.kind, r.decision])).toEqual([[{ id: 10 }, 'unique-key', 'applied'], [{ id: 9 }, 'exists', 'applied']]);
    expect(Date.parse(listed.recent[0]!.at)).not.toBeNaN();
    expect(ferry.child.exitCode).toBeNull();
  });
});
