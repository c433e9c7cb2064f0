import { describe, expect, it } from 'vitest';
import { runFerry } from '../../support/cli.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { dumpTable } from '../../support/tables.ts';

/**
 * Issue #15, verify and repair: a target damaged on purpose (rows deleted, changed, added) is
 * reported with exactly those counts per table, `--print-sql` shows the mending statements
 * without running them, and `--repair` makes the tables identical. Real MariaDB, `bin/ferry
 * verify` as a child process. Small chunks make the bisection run through several levels.
 */

const ITEMS = 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NULL, at DATETIME(6) NOT NULL, note TEXT NULL)';
const PAIRS = 'CREATE TABLE pairs (a INT NOT NULL, b VARCHAR(20) NOT NULL, v VARCHAR(20) NULL, PRIMARY KEY (a, b))';
const ROWS = 2_000;

async function filledPair(): Promise<ReplicationPair> {
  const pair = await replicationPair();
  await pair.onBoth(`${ITEMS}; ${PAIRS}`);
  const items = Array.from({ length: ROWS }, (_, i) => [i * 3, `item-${i}`, i % 7 === 0 ? null : i, `2026-12-07 10:00:00.${String(i).padStart(6, '0')}`, i % 5 === 0 ? null : `note ${i}`]);
  const pairs = Array.from({ length: 300 }, (_, i) => [i % 30, `k${i}`, i % 4 === 0 ? null : `v${i}`]);
  for (const db of [pair.source, pair.target]) {
    await db.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ?`, [items]);
    await db.connection.query(`INSERT INTO \`${pair.schema}\`.pairs VALUES ?`, [pairs]);
  }
  return pair;
}

const verify = (pair: ReplicationPair, extra: string[] = []) => runFerry(['verify', '--source', pair.source.url, '--target', pair.target.url, '--tables', `${pair.schema}.*`, '--chunk-rows', '100', ...extra], { timeoutMs: 300_000 });

interface Report { tables: Array<{ table: string; rows: number; missing: number; extra: number; different: number; samples: { missing: unknown[][] } }> }

describe('bin/ferry verify', () => {
  it('says identical tables are identical (exit 0)', async () => {
    const pair = await filledPair();
    const result = await verify(pair);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${pair.schema}.items: ${ROWS} rows, identical`);
    expect(result.stdout).toContain(`${pair.schema}.pairs: 300 rows, identical`);
  });

  it('counts exactly the rows deleted, changed and added on the target; prints the repair; repairs to identical', async () => {
    const pair = await filledPair();
    const t = pair.target.connection;
    const s = pair.schema;
    await t.query(`DELETE FROM \`${s}\`.items WHERE id IN (0, 300, 5997)`);
    await t.query(`UPDATE \`${s}\`.items SET qty = qty + 1 WHERE id IN (3, 1500)`);
    await t.query(`UPDATE \`${s}\`.items SET note = NULL WHERE id = 6`);
    // NULL against an empty string: different, though CONCAT would not tell them apart.
    await t.query(`UPDATE \`${s}\`.items SET note = '' WHERE id = 15 AND note IS NULL`);
    await t.query(`UPDATE \`${s}\`.items SET at = '2026-12-07 10:00:00.999999' WHERE id = 12`);
    await t.query(`INSERT INTO \`${s}\`.items VALUES (1, 'extra', 1, '2026-01-01', NULL), (99999, 'extra', 2, '2026-01-01', NULL)`);
    await t.query(`DELETE FROM \`${s}\`.pairs WHERE a = 3 AND b = 'k3'`);
    await t.query(`UPDATE \`${s}\`.pairs SET v = NULL WHERE a = 5 AND b = 'k5'`);
    await t.query(`INSERT INTO \`${s}\`.pairs VALUES (3, 'zz', 'new')`);

    const found = await verify(pair, ['--json']);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout) as Report;
    const byTable = Object.fromEntries(report.tables.map((table) => [table.table, table]));
    expect(byTable[`${s}.items`]).toMatchObject({ rows: ROWS, missing: 3, extra: 2, different: 5 });
    expect(byTable[`${s}.items`]!.samples.missing).toEqual([['0'], ['300'], ['5997']].map(([id]) => [Number(id)]));
    expect(byTable[`${s}.pairs`]).toMatchObject({ rows: 300, missing: 1, extra: 1, different: 1 });

    const before = await dumpTable(t, s, 'items');
    const printed = await verify(pair, ['--repair', '--print-sql']);
    expect(printed.code).toBe(1);
    expect(printed.stdout).toContain(`DELETE FROM \`${s}\`.\`items\` WHERE \`id\` = 99999;`);
    expect(printed.stdout).toMatch(/INSERT INTO `[^`]+`\.`items` \(`id`, `name`, `qty`, `at`, `note`\) VALUES \(0, 'item-0', NULL, '2026-12-07 10:00:00\.000000', NULL\)/);
    expect(await dumpTable(t, s, 'items')).toEqual(before);

    const repaired = await verify(pair, ['--repair']);
    expect(repaired.code).toBe(1);
    expect(repaired.stdout).toContain('repaired: 10 statements');
    for (const table of ['items', 'pairs']) expect(await dumpTable(t, s, table)).toEqual(await dumpTable(pair.source.connection, s, table));
    expect((await verify(pair)).code).toBe(0);
  });

  it('stops with exit 2 and FERRY_ERR_VERIFY_TABLE on a table it cannot compare (no key)', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE nokey (a INT, b INT)');
    const result = await verify(pair);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('FERRY_ERR_VERIFY_TABLE');
    expect(result.stderr).toContain('no primary key');
  });
});
