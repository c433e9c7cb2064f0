import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

describe('bin/ferry run: mixed workloads', () => {
  it('ends with identical tables after inserts, updates, key moves, deletes and rollbacks', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const ferry = startFerry(pair.runArgs());
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');

    const committed = await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 400, seed: 42 });
    expect(committed).toBeGreaterThan(300);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect(ferry.child.exitCode).toBeNull();
  });

  it('keeps tables with composite and secondary unique keys exact when rows swap unique values', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE accounts (region CHAR(2) NOT NULL, id INT NOT NULL, email VARCHAR(64) NOT NULL, balance DECIMAL(12,2) NOT NULL, PRIMARY KEY (region, id), UNIQUE KEY (email))');
    const ferry = startFerry(pair.runArgs(['--batch-rows', '50']));
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');

    const db = pair.source.connection;
    const t = `\`${pair.schema}\`.accounts`;
    for (let i = 0; i < 40; i++) await db.query(`INSERT INTO ${t} VALUES ('eu', ?, ?, ?)`, [i, `u${i}@x`, i * 10.5]);
    // Swap emails of pairs of rows inside one transaction: a plain upsert would clobber a row.
    for (let i = 0; i < 40; i += 2) {
      await db.query(`BEGIN; UPDATE ${t} SET email = 'tmp' WHERE id = ?; UPDATE ${t} SET email = ? WHERE id = ?; UPDATE ${t} SET email = ? WHERE id = ?; COMMIT`, [i, `u${i}@x`, i + 1, `u${i + 1}@x`, i]);
    }
    await db.query(`UPDATE ${t} SET region = 'us' WHERE id % 3 = 0`);
    await db.query(`DELETE FROM ${t} WHERE id % 7 = 0`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'accounts');
  });

  it('overwrites rows the target already holds when the source inserts them (a target loaded with an overlap)', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const items = `\`${pair.schema}\`.items`;
    // Rows the target got from an earlier copy, older than the source's inserts of the same keys.
    await pair.target.connection.query(`INSERT INTO ${items} VALUES (3, 'stale', 0, NULL, '2020-01-01'), (40, 'stale', 0, 'x', '2020-01-01')`);
    const ferry = startFerry(pair.runArgs());
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    const rows = Array.from({ length: 50 }, (_, i) => `(${i}, 'fresh ${i}', ${i}, NULL, NOW(6))`).join(',');
    await pair.source.connection.query(`INSERT INTO ${items} VALUES ${rows}`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect(ferry.child.exitCode).toBeNull();
  });

  it('stops cleanly on SIGTERM after the batch in flight and resumes where it stopped', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const first = startFerry(pair.runArgs());
    await expect.poll(() => first.output(), { timeout: 120_000 }).toContain('pipeline starting');
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 7 });
    expect(await first.kill('SIGTERM')).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 8 });
    const second = startFerry(pair.runArgs());
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    expect(second.output()).toContain('"resumed":true');
  });
});
