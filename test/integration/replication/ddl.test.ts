import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, testDatabase, testSchema, type ReplicationPair } from '../../support/mariadb.ts';
import { scratchMariaDb } from '../../support/scratch-mariadb.ts';
import { checksum, dumpTable } from '../../support/tables.ts';

/**
 * DDL through `bin/ferry run` under each policy: stop (halt, the operator steps over it),
 * apply (run on the target, names mapped), ignore; DDL the pipeline meets late, after rows
 * written under another table definition; DDL on tables that are not replicated.
 */

/** Starts Ferry and waits until it reads the binlog. */
async function started(args: string[], env: NodeJS.ProcessEnv = {}): Promise<FerryProcess> {
  const ferry = startFerry(args, env);
  await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
  return ferry;
}

function tail(ferry: FerryProcess, lines = 12): string {
  return ferry.output().split('\n').slice(-lines).join('\n');
}

/** Waits for a condition; fails at once, with Ferry's log, if Ferry exits meanwhile. */
async function until(ferry: FerryProcess, what: string, condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    if (exit !== null) throw new Error(`Ferry exited (${String(exit)}) before ${what}\n${tail(ferry)}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${tail(ferry)}`);
    await sleep(100);
  }
}

/** The definition of a table's columns, as comparable text (empty when the table does not exist). */
async function columnsOf(connection: Connection, schema: string, table: string): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT CONCAT_WS(' ', COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, IFNULL(COLUMN_DEFAULT, '-'), EXTRA) AS c
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  return rows.map((row) => String(row.c));
}

async function tablesOf(connection: Connection, schema: string): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [schema]);
  return rows.map((row) => String(row.t));
}

/**
 * The target schema ends like the source schema: same tables, same column definitions, and
 * for each table the same CHECKSUM TABLE and the same rows (HEX of every column).
 */
async function expectSchemaConverges(pair: ReplicationPair, ferry: FerryProcess): Promise<string[]> {
  const { source, target, schema } = pair;
  const tables = await tablesOf(source.connection, schema);
  await until(ferry, `the tables of ${schema} (${tables.join(', ')}) to converge`, async () => {
    if ((await tablesOf(target.connection, schema)).join() !== tables.join()) return false;
    for (const table of tables) {
      if ((await columnsOf(target.connection, schema, table)).join() !== (await columnsOf(source.connection, schema, table)).join()) return false;
      if ((await checksum(target.connection, schema, table)) !== (await checksum(source.connection, schema, table))) return false;
    }
    return true;
  });
  for (const table of tables) expect(await dumpTable(target.connection, schema, table), table).toEqual(await dumpTable(source.connection, schema, table));
  return tables;
}

async function rowsOf(connection: Connection, sql: string): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>(sql);
  return rows.map((row) => JSON.stringify(row));
}

/** The pair's `bin/ferry run` arguments with another --tables list. */
function withTables(args: string[], tables: string): string[] {
  const copy = [...args];
  copy[copy.indexOf('--tables') + 1] = tables;
  return copy;
}

describe('bin/ferry run: DDL', () => {
  it('stops at DDL by default, after the rows before it; the operator applies it by hand and steps over it once with --ddl ignore', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(20) NOT NULL, qty INT NOT NULL)');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const stopping = await started(pair.runArgs());

    await db.query("BEGIN; INSERT INTO orders VALUES (1, 'apple', 1), (2, 'pear', 2); UPDATE orders SET qty = 10 WHERE id = 1; COMMIT");
    await db.query("INSERT INTO orders VALUES (3, 'plum', 3)");
    const alter = 'ALTER TABLE orders ADD COLUMN note VARCHAR(30) NULL AFTER item';
    await db.query(alter);
    await db.query("INSERT INTO orders VALUES (4, 'fig', 'after the ALTER', 4); UPDATE orders SET note = 'noted' WHERE id = 2");

    expect(await stopping.exited).toBe(1);
    expect(stopping.output()).toContain('FERRY_ERR_DDL_NOT_ALLOWED');
    expect(stopping.output()).toContain(alter);
    // Everything before the statement was applied, nothing after it.
    expect(await rowsOf(pair.target.connection, `SELECT * FROM \`${pair.schema}\`.orders ORDER BY id`)).toEqual([
      JSON.stringify({ id: 1, item: 'apple', qty: 10 }),
      JSON.stringify({ id: 2, item: 'pear', qty: 2 }),
      JSON.stringify({ id: 3, item: 'plum', qty: 3 }),
    ]);

    // What the workaround of FERRY_ERR_DDL_NOT_ALLOWED says: apply it by hand, run once with --ddl ignore.
    await pair.target.connection.query(`USE \`${pair.schema}\`; ${alter}`);
    const stepping = await started(pair.runArgs(['--ddl', 'ignore']));
    await expectSchemaConverges(pair, stepping);
    await expect.poll(() => stepping.output(), { timeout: 120_000 }).toContain('DDL on a replicated table ignored');
    expect(await stepping.kill('SIGTERM')).toBe(0);

    // The checkpoint is past the statement: the default policy runs on without stopping.
    const after = await started(pair.runArgs());
    await db.query("INSERT INTO orders VALUES (5, 'kiwi', NULL, 5); DELETE FROM orders WHERE id = 1");
    await expectSchemaConverges(pair, after);
    expect(after.output()).not.toContain('FERRY_ERR_DDL');
    expect(after.child.exitCode).toBeNull();
  });

  it('applies CREATE, ALTER (add/drop column, index, rename), RENAME, TRUNCATE and DROP TABLE with --ddl apply', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE base (id INT PRIMARY KEY, v VARCHAR(20))');
    const db = pair.source.connection;
    const s = `\`${pair.schema}\``;
    await db.query(`USE ${s}`);
    const ferry = await started(pair.runArgs(['--ddl', 'apply']));

    // CREATE TABLE only on the source: Ferry creates it on the target (the rule is schema.*).
    await db.query('CREATE TABLE made (id INT PRIMARY KEY, a VARCHAR(20) NOT NULL, b INT, c DATE)');
    await db.query("BEGIN; INSERT INTO made VALUES (1, 'one', 1, '2020-01-01'), (2, 'two', 2, NULL); INSERT INTO base VALUES (1, 'x'); COMMIT");
    await db.query('ALTER TABLE made ADD COLUMN d DECIMAL(20,10) NULL DEFAULT 1.5 AFTER a, DROP COLUMN b');
    await db.query("INSERT INTO made VALUES (3, 'three', 3.0000000001, '2021-02-03'); UPDATE made SET a = 'ONE' WHERE id = 1");
    await db.query('CREATE INDEX made_a ON made (a)');
    await db.query('ALTER TABLE made ADD UNIQUE KEY made_c (c)');
    // Qualified names, issued from another default database.
    await db.query('USE mysql');
    await db.query(`RENAME TABLE ${s}.made TO ${s}.renamed`);
    await db.query(`INSERT INTO ${s}.renamed VALUES (4, 'four', NULL, NULL)`);
    await db.query(`USE ${s}`);
    await db.query("CREATE TABLE scratch (id BIGINT UNSIGNED PRIMARY KEY, t TEXT); INSERT INTO scratch VALUES (18446744073709551615, 'gone soon'), (1, 'me too')");
    await db.query('TRUNCATE TABLE scratch');
    await db.query("INSERT INTO scratch VALUES (2, 'after truncate')");
    await db.query("CREATE TABLE doomed (id INT PRIMARY KEY); INSERT INTO doomed VALUES (1)");
    // A table outside the pipeline, on both sides: dropping it on the source with a
    // replicated one must not drop the target's.
    const outside = `\`${pair.schema}_outside\``;
    await pair.source.connection.query(`CREATE DATABASE ${outside}; CREATE TABLE ${outside}.keep (id INT PRIMARY KEY)`);
    await pair.target.connection.query(`CREATE DATABASE ${outside}; CREATE TABLE ${outside}.keep (id INT PRIMARY KEY)`);
    onTestFinished(async () => {
      await pair.source.connection.query(`DROP DATABASE IF EXISTS ${outside}`);
      await pair.target.connection.query(`DROP DATABASE IF EXISTS ${outside}`);
    });
    await db.query(`DROP TABLE doomed, ${outside}.keep`);
    await db.query('ALTER TABLE base DROP COLUMN v, ADD COLUMN w INT NOT NULL DEFAULT 7');
    await db.query('INSERT INTO base (id) VALUES (2); UPDATE base SET w = 8 WHERE id = 1');

    expect(await expectSchemaConverges(pair, ferry)).toEqual(['base', 'renamed', 'scratch']);
    expect(await rowsOf(pair.target.connection, `SELECT id, t FROM ${s}.scratch`)).toEqual([JSON.stringify({ id: 2, t: 'after truncate' })]);
    const [indexes] = await pair.target.connection.query<RowDataPacket[]>(
      `SELECT DISTINCT INDEX_NAME AS i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'renamed' ORDER BY INDEX_NAME`,
      [pair.schema],
    );
    expect(indexes.map((row) => String(row.i))).toEqual(['made_a', 'made_c', 'PRIMARY']);
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('DDL applied');
    expect(ferry.child.exitCode).toBeNull();
    const [kept] = await pair.target.connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${pair.schema}_outside'`);
    expect(kept[0]?.n).toBe(1);
  });

  it('applies ALTER TABLE ... RENAME TO and CREATE TABLE ... LIKE, whose second table name is unqualified', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE first (id INT PRIMARY KEY, v VARCHAR(20))');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const ferry = await started(pair.runArgs(['--ddl', 'apply']));
    await db.query("INSERT INTO first VALUES (1, 'a')");
    await db.query('ALTER TABLE first RENAME TO second');
    await db.query("INSERT INTO second VALUES (2, 'b')");
    await db.query('CREATE TABLE third LIKE second');
    await db.query("INSERT INTO third VALUES (3, 'c')");
    expect(await expectSchemaConverges(pair, ferry)).toEqual(['second', 'third']);
  });

  it('maps rows to the right columns after an ALTER TABLE the pipeline had not reached yet', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE people (id INT PRIMARY KEY, a VARCHAR(20), b INT, c DATETIME(6), d VARCHAR(20), n INT)');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const first = await started(pair.runArgs(['--ddl', 'apply']));
    await db.query("INSERT INTO people VALUES (1, 'a1', 1, '2020-01-01 00:00:00.000001', 'd1', 1)");
    await expectSchemaConverges(pair, first);
    expect(await first.kill('SIGTERM')).toBe(0);

    // While Ferry is down: rows under each of several table definitions.
    await db.query("BEGIN; INSERT INTO people VALUES (2, 'a2', 2, '2020-01-02 00:00:00.000002', 'd2', 2); UPDATE people SET b = 10, d = 'd1*' WHERE id = 1; COMMIT");
    await db.query('ALTER TABLE people DROP COLUMN b');
    await db.query("BEGIN; INSERT INTO people VALUES (3, 'a3', '2020-01-03 00:00:00.000003', 'd3', 3); UPDATE people SET a = 'a2*' WHERE id = 2; COMMIT");
    await db.query('ALTER TABLE people ADD COLUMN e INT NOT NULL DEFAULT 7 AFTER a');
    await db.query("BEGIN; INSERT INTO people VALUES (4, 'a4', 44, '2020-01-04 00:00:00.000004', 'd4', 4); UPDATE people SET e = 11 WHERE id = 1; COMMIT");
    await db.query('ALTER TABLE people MODIFY d VARCHAR(30) AFTER id, MODIFY n BIGINT UNSIGNED');
    await db.query("BEGIN; INSERT INTO people VALUES (5, 'd5', 'a5', 55, '2020-01-05 00:00:00.000005', 18446744073709551615); UPDATE people SET n = 9007199254740993 WHERE id = 3; COMMIT");
    await db.query('ALTER TABLE people RENAME COLUMN a TO a_renamed, CHANGE c c_changed DATETIME(6) NULL');
    await db.query("BEGIN; INSERT INTO people VALUES (6, 'd6', 'a6', 66, '2020-01-06 00:00:00.000006', 6); UPDATE people SET a_renamed = 'a4*' WHERE id = 4; DELETE FROM people WHERE id = 2; COMMIT");

    const second = await started(pair.runArgs(['--ddl', 'apply']));
    await expectSchemaConverges(pair, second);
    expect(await rowsOf(pair.target.connection, `SELECT id, d, a_renamed, e, CAST(n AS CHAR) n FROM \`${pair.schema}\`.people ORDER BY id`)).toEqual(
      [
        { id: 1, d: 'd1*', a_renamed: 'a1', e: 11, n: '1' },
        { id: 3, d: 'd3', a_renamed: 'a3', e: 7, n: '9007199254740993' },
        { id: 4, d: 'd4', a_renamed: 'a4*', e: 44, n: '4' },
        { id: 5, d: 'd5', a_renamed: 'a5', e: 55, n: '18446744073709551615' },
        { id: 6, d: 'd6', a_renamed: 'a6', e: 66, n: '6' },
      ].map((row) => JSON.stringify(row)),
    );
  });

  it('ignores DDL on tables it does not replicate, even under the default policy stop', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE orders (id INT PRIMARY KEY, v INT); CREATE TABLE orders_log (id INT PRIMARY KEY, v INT)');
    const other = await testSchema(pair.source, 'o');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    // Only `orders`: orders_log, the other schema and new tables are not replicated.
    const ferry = await started(withTables(pair.runArgs(), `${pair.schema}.orders`));
    await db.query('INSERT INTO orders VALUES (1, 1)');
    await db.query('ALTER TABLE orders_log ADD COLUMN w INT');
    await db.query('INSERT INTO orders_log VALUES (1, 1, 1); INSERT INTO orders VALUES (2, 2)');
    await db.query('CREATE TABLE orders_2 (id INT PRIMARY KEY); INSERT INTO orders_2 VALUES (1); TRUNCATE orders_2; RENAME TABLE orders_2 TO orders_3; DROP TABLE orders_3');
    await db.query(`CREATE TABLE \`${other}\`.orders (id INT PRIMARY KEY); ALTER TABLE \`${other}\`.orders ADD COLUMN v INT; DROP TABLE \`${other}\`.orders`);
    await db.query('CREATE INDEX log_v ON orders_log (v)');
    await db.query('BEGIN; UPDATE orders SET v = 20 WHERE id = 2; INSERT INTO orders VALUES (3, 3); COMMIT');

    await until(ferry, 'orders to converge', async () => (await checksum(pair.target.connection, pair.schema, 'orders')) === (await checksum(db, pair.schema, 'orders')));
    expect(await dumpTable(pair.target.connection, pair.schema, 'orders')).toEqual(await dumpTable(db, pair.schema, 'orders'));
    // Nothing of the rest reached the target.
    expect(await tablesOf(pair.target.connection, pair.schema)).toEqual(['orders', 'orders_log']);
    expect(await columnsOf(pair.target.connection, pair.schema, 'orders_log')).toHaveLength(2);
    expect(ferry.output()).not.toContain('FERRY_ERR_DDL');
    expect(ferry.child.exitCode).toBeNull();
  });

  // MariaDB logs CREATE TABLE ... SELECT as one GTID group (GTID, not standalone; Query
  // "CREATE TABLE ..."; Table_map; Write_rows; Xid), kept whole by transaction-assembler.ts.
  // On a scratch source: a fault here must not stop every other test's pipeline reading db1.
  it('replicates CREATE TABLE ... SELECT under --ddl apply, and is not stopped by one on a table it does not replicate', async () => {
    const scratch = await scratchMariaDb();
    const target = await testDatabase('db2');
    const schema = await testSchema(target, 'c');
    const other = `${schema}_other`;
    onTestFinished(async () => {
      const cleaner = await mysql.createConnection(target.url);
      await cleaner.query('DELETE FROM _ferry.checkpoints WHERE pipeline = ?', [schema]).catch(() => undefined);
      await cleaner.end();
    });
    const db = await scratch.connect();
    await db.query(`CREATE DATABASE \`${schema}\`; CREATE DATABASE \`${other}\`; USE \`${schema}\`; CREATE TABLE src (id INT PRIMARY KEY, v VARCHAR(20))`);
    await target.connection.query(`USE \`${schema}\`; CREATE TABLE src (id INT PRIMARY KEY, v VARCHAR(20))`);
    const ferry = await started(['run', '--source', scratch.replicationUrl, '--target', target.url, '--tables', `${schema}.*`, '--name', schema, '--ddl', 'apply']);
    await db.query("INSERT INTO src VALUES (1, 'a'), (2, 'b')");
    await db.query(`CREATE TABLE \`${other}\`.copied (PRIMARY KEY (id)) AS SELECT * FROM src`);
    await db.query('CREATE TABLE copied (PRIMARY KEY (id)) AS SELECT * FROM src');
    await db.query("INSERT INTO copied VALUES (3, 'c'); INSERT INTO src VALUES (3, 'c')");
    for (const table of ['src', 'copied']) {
      await until(ferry, `${table} to converge`, async () => (await checksum(target.connection, schema, table).catch(() => null)) === (await checksum(db, schema, table)));
      expect(await dumpTable(target.connection, schema, table)).toEqual(await dumpTable(db, schema, table));
    }
  });

  it('stops at DROP DATABASE of a replicated schema, and under --ddl apply drops only its replicated tables on the target', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE a (id INT PRIMARY KEY); CREATE TABLE b (id INT PRIMARY KEY)');
    await pair.target.connection.query(`CREATE TABLE \`${pair.schema}\`.target_only (id INT PRIMARY KEY)`);
    const stopping = await started(pair.runArgs());
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.a VALUES (1); DROP DATABASE \`${pair.schema}\``);
    expect(await stopping.exited).toBe(1);
    expect(stopping.output()).toMatch(/FERRY_ERR_DDL_NOT_ALLOWED: DDL on a replicated table at .*DROP DATABASE/);

    // Resumed after the schema is gone: the tables cannot be listed; the operator is told.
    const resumed = await started(pair.runArgs(['--ddl', 'apply']));
    expect(await resumed.exited).toBe(1);
    expect(resumed.output()).toContain('FERRY_ERR_DDL_APPLY_FAILED');

    // Running when it happens, under --ddl apply: the replicated tables go, the target schema stays.
    const again = await replicationPair();
    await again.onBoth('CREATE TABLE a (id INT PRIMARY KEY); CREATE TABLE b (id INT PRIMARY KEY)');
    await again.target.connection.query(`CREATE TABLE \`${again.schema}\`.target_only (id INT PRIMARY KEY)`);
    const applying = await started(again.runArgs(['--ddl', 'apply']));
    await again.source.connection.query(`INSERT INTO \`${again.schema}\`.a VALUES (1); DROP DATABASE \`${again.schema}\``);
    await expect
      .poll(async () => rowsOf(again.target.connection, `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${again.schema}' ORDER BY TABLE_NAME`), { timeout: 120_000 })
      .toEqual([JSON.stringify({ TABLE_NAME: 'target_only' })]);
    expect(applying.child.exitCode).toBeNull();
  });
});
