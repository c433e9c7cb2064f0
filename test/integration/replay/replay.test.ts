import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, testSchema } from '../../support/mariadb.ts';
import { expectSameRows, progressAt } from './replay-support.ts';

/**
 * Row events replayed end to end (docs/replay.md) with binlogReplay: require: every kind of
 * change, transactions of several statements and tables, and a table renamed into another
 * schema (its table-map events rewritten). Every row must have been replayed: the progress
 * line's rowsReplayed equals rowsApplied, which counts the workload's row changes exactly.
 */
describe('bin/ferry run: row events replayed', () => {
  it('replays inserts, updates, deletes, multi-statement and multi-table transactions, and a renamed table', async () => {
    const pair = await replicationPair();
    const renamedSchema = await testSchema(pair.target, 'rn');
    const tables = [
      'CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NULL, d DECIMAL(12,2), t DATETIME(6))',
      'CREATE TABLE pairs (a BIGINT UNSIGNED NOT NULL, b VARCHAR(16) NOT NULL, note TEXT, PRIMARY KEY (a, b), UNIQUE KEY (note(20)))',
    ];
    await pair.onBoth(tables.join('; '));
    await pair.source.connection.query(`CREATE TABLE \`${pair.schema}\`.orders (id INT PRIMARY KEY, amount INT NOT NULL, label VARCHAR(100))`);
    await pair.target.connection.query(`CREATE TABLE \`${renamedSchema}\`.orders_copy (id INT PRIMARY KEY, amount INT NOT NULL, label VARCHAR(100))`);
    const dir = await mkdtemp(join(tmpdir(), 'ferry-replay-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'pipeline.yaml');
    await writeFile(config, [
      `name: ${pair.schema}`,
      `source: ${JSON.stringify(pair.source.replicationUrl)}`,
      `target: ${JSON.stringify(pair.target.url)}`,
      'tables:',
      `  - source: ${pair.schema}.orders`,
      `    target: ${renamedSchema}.orders_copy`,
      `  - ${pair.schema}.*`,
      'binlogReplay: require',
      'batch: { maxRows: 200 }',
      '',
    ].join('\n'));
    const ferry = startFerry(['run', '--config', config, '--progress-seconds', '1']);
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');

    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    let changes = 0;
    // Multi-row inserts, large enough that one statement spans several row events.
    for (let chunk = 0; chunk < 4; chunk++) {
      const rows = Array.from({ length: 250 }, (_, i) => chunk * 250 + i).map((id) => `(${id}, '${'x'.repeat(30)}${id}', ${id % 7 === 0 ? 'NULL' : id}, ${id}.25, '2024-01-02 03:04:05.${String(id).padStart(6, '0')}')`);
      await db.query(`INSERT INTO items VALUES ${rows.join(',')}`);
      changes += 250;
    }
    await db.query("INSERT INTO pairs VALUES (18446744073709551615, 'a', 'first'), (1, 'b', NULL), (2, 'c', 'third')");
    changes += 3;
    await db.query("INSERT INTO orders VALUES (1, 10, 'one'), (2, 20, 'two'), (3, 30, NULL)");
    changes += 3;
    // Transactions of several statements over several tables, one of them renamed.
    for (let t = 0; t < 30; t++) {
      await db.query(`BEGIN; UPDATE items SET n = COALESCE(n, 0) + ${t} WHERE id = ${t * 7}; INSERT INTO orders VALUES (${100 + t}, ${t}, 'order ${t}'); UPDATE orders SET amount = amount + 1 WHERE id = 1; DELETE FROM items WHERE id = ${900 + t}; COMMIT`);
      changes += 4;
    }
    // Range updates and deletes, a key change, a row deleted and inserted again.
    const [updated] = await db.query("UPDATE items SET v = CONCAT('u', v), t = NULL WHERE id BETWEEN 100 AND 299") as unknown as [{ affectedRows: number }];
    changes += updated.affectedRows;
    const [deleted] = await db.query('DELETE FROM items WHERE id % 5 = 1') as unknown as [{ affectedRows: number }];
    changes += deleted.affectedRows;
    await db.query("BEGIN; UPDATE pairs SET a = 3, note = 'moved' WHERE a = 1; DELETE FROM orders WHERE id = 2; INSERT INTO orders VALUES (2, 22, 'again'); COMMIT");
    changes += 3;

    await expectSameRows(ferry, { connection: db, schema: pair.schema, table: 'items' }, { connection: pair.target.connection, schema: pair.schema, table: 'items' });
    await expectSameRows(ferry, { connection: db, schema: pair.schema, table: 'pairs' }, { connection: pair.target.connection, schema: pair.schema, table: 'pairs' });
    await expectSameRows(ferry, { connection: db, schema: pair.schema, table: 'orders' }, { connection: pair.target.connection, schema: renamedSchema, table: 'orders_copy' });
    const progress = await progressAt(ferry, changes);
    expect(progress).toEqual({ rowsApplied: changes, rowsReplayed: changes, replayFallbacks: 0 });
  });
});
