import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { testDatabase, testSchema, type TestDatabase } from '../../support/mariadb.ts';

/**
 * Table mapping through `bin/ferry run --config pipeline.yaml`: a schema renamed by pattern,
 * tables renamed, columns excluded, included and renamed (the primary key too), a hook module
 * that rewrites and drops rows, and DDL applied under the mapped names. The target must hold
 * exactly what the rules say: each table is compared with a SELECT on the source that applies
 * the same rules.
 */

const HOOK = `// Extract hook: upper-cases people.name and drops every change of a hidden person.
export default function hook(change) {
  if (change.table !== 'people') return change;
  const image = change.after ?? change.before;
  if (image.hidden === 1) return null;
  if (change.after && typeof change.after.name === 'string') change.after = { ...change.after, name: change.after.name.toUpperCase() };
  return change;
}
`;

interface Setup {
  source: TestDatabase;
  target: TestDatabase;
  /** Source schema ('a_...') and target schema ('b_...'). */
  a: string;
  b: string;
  name: string;
  configFile: string;
}

async function setUp(): Promise<Setup> {
  const source = await testDatabase('db1');
  const target = await testDatabase('db2');
  const a = await testSchema(source, 'a');
  const b = await testSchema(target, 'b');
  const name = `map_${a}`;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-mapping-'));
  onTestFinished(async () => {
    await rm(dir, { recursive: true, force: true });
    // Own connection: the test's may already be closed when this runs.
    const cleaner = await mysql.createConnection(target.url);
    await cleaner.query('DELETE FROM _ferry.checkpoints WHERE pipeline = ?', [name]).catch(() => undefined);
    await cleaner.end();
  });
  await writeFile(join(dir, 'hook.mjs'), HOOK);
  const yaml = [
    `name: ${name}`,
    `source: ${JSON.stringify(source.replicationUrl)}`,
    `target: ${JSON.stringify(target.url)}`,
    'tables:',
    `  - source: ${a}.people`,
    `    target: ${b}.persons`,
    '    columns:',
    '      exclude: [secret]',
    '      rename: { NAME: full_name, id: person_id }',
    `  - source: ${a}.items`,
    '    columns:',
    '      include: [id, label, PRICE]',
    '      rename: { label: title }',
    `    target: ${b}.items`,
    `  - source: ${a}.*`,
    `    target: ${b}.*`,
    'hook: ./hook.mjs',
    'ddl: apply',
    'batch: { maxRows: 50 }',
    '',
  ].join('\n');
  const configFile = join(dir, 'pipeline.yaml');
  await writeFile(configFile, yaml);
  return { source, target, a, b, name, configFile };
}

async function started(setup: Setup): Promise<FerryProcess> {
  const ferry = startFerry(['run', '--config', setup.configFile, '--progress-seconds', '1']);
  await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
  return ferry;
}

async function rowsOf(connection: Connection, sql: string): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>(sql);
  return rows.map((row) => JSON.stringify(row));
}

/** Waits until `targetSql` on the target returns what `sourceSql` returns on the source; fails at once if Ferry exits. */
async function expectSame(ferry: FerryProcess, setup: Setup, targetSql: string, sourceSql: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const expected = await rowsOf(setup.source.connection, sourceSql);
    // A table Ferry is still to create is "not there yet", not a failure.
    const actual = await rowsOf(setup.target.connection, targetSql).catch((error: Error) => [`error: ${error.message}`]);
    if (JSON.stringify(actual) === JSON.stringify(expected)) return;
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    const log = (): string => ferry.output().split('\n').slice(-12).join('\n');
    if (exit !== null) throw new Error(`Ferry exited (${String(exit)}); target: ${targetSql}\n${log()}`);
    if (Date.now() > deadline) {
      expect(actual, `${targetSql}\n${log()}`).toEqual(expected);
    }
    await sleep(100);
  }
}

describe('bin/ferry run --config: table mapping', () => {
  it('renames schema, tables and columns, drops excluded columns, runs the hook, and applies DDL under the mapped names', async () => {
    const setup = await setUp();
    const { a, b } = setup;
    const src = setup.source.connection;
    const dst = setup.target.connection;
    await src.query(`USE \`${a}\`;
      CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, email VARCHAR(60), secret VARCHAR(40) NOT NULL, hidden TINYINT NOT NULL DEFAULT 0, born DATE);
      CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(40), price DECIMAL(12,2) NOT NULL, cost DECIMAL(12,2) NOT NULL, internal JSON);
      CREATE TABLE events (id BIGINT UNSIGNED PRIMARY KEY, kind VARCHAR(20), at DATETIME(6))`);
    // The target: renamed table and columns, no excluded columns, and a column of its own.
    await dst.query(`USE \`${b}\`;
      CREATE TABLE persons (person_id INT PRIMARY KEY, full_name VARCHAR(40) NOT NULL, email VARCHAR(60), hidden TINYINT NOT NULL DEFAULT 0, born DATE, origin VARCHAR(10) NOT NULL DEFAULT 'ferry');
      CREATE TABLE items (id INT PRIMARY KEY, title VARCHAR(40), price DECIMAL(12,2) NOT NULL);
      CREATE TABLE events (id BIGINT UNSIGNED PRIMARY KEY, kind VARCHAR(20), at DATETIME(6))`);
    const ferry = await started(setup);

    await src.query(`BEGIN;
      INSERT INTO people VALUES (1, 'ada lovelace', 'ada@x', 's1', 0, '1815-12-10'), (2, 'hidden hal', 'hal@x', 's2', 1, NULL), (3, 'émile 😀', NULL, 's3', 0, '2000-02-29');
      INSERT INTO items VALUES (1, 'pen', 1.50, 0.20, '{"a": 1}'), (2, 'ink', 12.00, 3.00, NULL);
      INSERT INTO events VALUES (18446744073709551615, 'big', '2024-01-01 00:00:00.000001');
      COMMIT`);
    await src.query(`BEGIN;
      UPDATE people SET name = 'grace hopper', secret = 'changed' WHERE id = 1;
      UPDATE people SET email = 'still@hidden' WHERE id = 2;
      UPDATE people SET id = 30 WHERE id = 3;
      UPDATE items SET cost = 9.99 WHERE id = 1;
      UPDATE items SET label = 'INK', price = 13.00 WHERE id = 2;
      COMMIT`);
    await src.query(`INSERT INTO people VALUES (4, 'to delete', NULL, 's4', 0, NULL), (5, 'hidden too', NULL, 's5', 1, NULL);
      DELETE FROM people WHERE id IN (2, 4);
      INSERT INTO items VALUES (3, NULL, 0.01, 0, '[]')`);

    // DDL under the mapped names: a.people is b.persons, new tables of a go to b.
    await src.query('ALTER TABLE people ADD COLUMN nick VARCHAR(20) NULL AFTER email');
    await src.query("INSERT INTO people VALUES (6, 'nick name', NULL, 'nn', 's6', 0, NULL); UPDATE people SET nick = 'gh' WHERE id = 1");
    await src.query('CREATE TABLE late (id INT PRIMARY KEY, v VARCHAR(10))');
    await src.query("INSERT INTO late VALUES (1, 'late'), (2, 'later')");
    await src.query('RENAME TABLE events TO events_archive');
    await src.query("INSERT INTO events_archive VALUES (1, 'after rename', NULL)");

    await expectSame(
      ferry, setup,
      `SELECT person_id, full_name, email, nick, hidden, born, origin FROM \`${b}\`.persons ORDER BY person_id`,
      `SELECT id AS person_id, UPPER(name) AS full_name, email, nick, hidden, born, 'ferry' AS origin FROM \`${a}\`.people WHERE hidden = 0 ORDER BY id`,
    );
    await expectSame(ferry, setup, `SELECT id, title, price FROM \`${b}\`.items ORDER BY id`, `SELECT id, label AS title, price FROM \`${a}\`.items ORDER BY id`);
    await expectSame(ferry, setup, `SELECT id, kind, at FROM \`${b}\`.events_archive ORDER BY id`, `SELECT id, kind, at FROM \`${a}\`.events_archive ORDER BY id`);
    await expectSame(ferry, setup, `SELECT id, v FROM \`${b}\`.late ORDER BY id`, `SELECT id, v FROM \`${a}\`.late ORDER BY id`);

    // Exactly the expected values, not only "the same as the source query".
    expect(await rowsOf(dst, `SELECT person_id, full_name, nick FROM \`${b}\`.persons ORDER BY person_id`)).toEqual(
      [
        { person_id: 1, full_name: 'GRACE HOPPER', nick: 'gh' },
        { person_id: 6, full_name: 'NICK NAME', nick: 'nn' },
        { person_id: 30, full_name: 'ÉMILE 😀', nick: null },
      ].map((row) => JSON.stringify(row)),
    );
    // Nothing went where the rules do not send it.
    const tables = async (connection: Connection, schema: string): Promise<string[]> =>
      (await rowsOf(connection, `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${schema}' ORDER BY TABLE_NAME`)).map((row) => (JSON.parse(row) as { t: string }).t);
    expect(await tables(dst, b)).toEqual(['events_archive', 'items', 'late', 'persons']);
    const [sameNameOnTarget] = await dst.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [a]);
    expect(Number(sameNameOnTarget[0]?.n)).toBe(0);
    expect(ferry.child.exitCode).toBeNull();
    expect(await ferry.kill('SIGTERM')).toBe(0);
  });
});
