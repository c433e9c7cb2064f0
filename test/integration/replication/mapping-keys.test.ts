import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { testDatabase, testSchema, type TestDatabase } from '../../support/mariadb.ts';

/**
 * Table rules under which the loader could not identify target rows are refused before
 * anything runs, whatever prechecks are skipped: a rule that leaves out the target's key
 * (every row would get a NULL key, a batch's changes fold into one, deletes match nothing)
 * and a target key that is no key of the source (two source rows on one target row).
 */

interface Setup {
  source: TestDatabase;
  target: TestDatabase;
  a: string;
  b: string;
  name: string;
}

async function setUp(): Promise<Setup> {
  const source = await testDatabase('db1');
  const target = await testDatabase('db2');
  const a = await testSchema(source, 'a');
  const b = await testSchema(target, 'b');
  const name = `mapkey_${a}`;
  onTestFinished(async () => {
    const cleaner = await mysql.createConnection(target.url);
    await cleaner.query('DELETE FROM _ferry.checkpoints WHERE pipeline = ?', [name]).catch(() => undefined);
    await cleaner.end();
  });
  return { source, target, a, b, name };
}

/** Starts `bin/ferry run --config` with `rules` (YAML lines under `tables:`). */
async function start(setup: Setup, rules: string[]): Promise<FerryProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-mapping-keys-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const yaml = [
    `name: ${setup.name}`,
    `source: ${JSON.stringify(setup.source.replicationUrl)}`,
    `target: ${JSON.stringify(setup.target.url)}`,
    'tables:',
    ...rules,
    '',
  ].join('\n');
  const configFile = join(dir, 'pipeline.yaml');
  await writeFile(configFile, yaml);
  return startFerry(['run', '--config', configFile]);
}

/** True once the pipeline has claimed the target (its checkpoint row exists). */
async function claimed(setup: Setup): Promise<boolean> {
  const [rows] = await setup.target.connection.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_ferry' AND TABLE_NAME = 'checkpoints'",
  );
  if (Number(rows[0]?.n) === 0) return false;
  const [found] = await setup.target.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [setup.name]);
  return Number(found[0]?.n) > 0;
}

/** Runs `bin/ferry run --config` with `rules`, which must be refused; resolves with its exit and output. */
async function run(setup: Setup, rules: string[]): Promise<{ exit: number | string; output: string }> {
  const ferry = await start(setup, rules);
  // Refused means it exits; a pipeline that claims the target (its checkpoint row appears) was not refused.
  const claim = (async () => {
    for (;;) {
      if (await claimed(setup)) return 'claimed the target' as const;
      if (ferry.child.exitCode !== null || ferry.child.signalCode !== null) return 'exited' as const;
      await sleep(200);
    }
  })();
  const outcome = await Promise.race([ferry.exited.then(() => 'exited' as const), claim]);
  expect(outcome, ferry.output().split('\n').slice(-12).join('\n')).toBe('exited');
  return { exit: await ferry.exited, output: ferry.output() };
}

describe('bin/ferry run: table rules that lose the target key', () => {
  it('refuses a rule that excludes the only key column, naming the table and the key', async () => {
    const setup = await setUp();
    const { a, b } = setup;
    await setup.source.connection.query(`CREATE TABLE \`${a}\`.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    await setup.target.connection.query(`CREATE TABLE \`${b}\`.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
    const { exit, output } = await run(setup, [`  - source: ${a}.t`, `    target: ${b}.t`, '    columns: { exclude: [id] }']);
    expect(exit).toBe(1);
    expect(output).toContain(`FERRY_ERR_MAPPING_DROPS_KEY: the table rule for \`${a}\`.\`t\` -> \`${b}\`.\`t\` leaves out the target key (PRIMARY (id))`);
    const [rows] = await setup.target.connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${b}\`.t`);
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('refuses a target key that is no key of the source', async () => {
    const setup = await setUp();
    const { a, b } = setup;
    // Two source rows may share a code: on the target the later would overwrite the earlier.
    await setup.source.connection.query(`CREATE TABLE \`${a}\`.t (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL, v INT)`);
    await setup.target.connection.query(`CREATE TABLE \`${b}\`.t (id INT NOT NULL, code VARCHAR(20) NOT NULL PRIMARY KEY, v INT)`);
    const { exit, output } = await run(setup, [`  - source: ${a}.t`, `    target: ${b}.t`]);
    expect(exit).toBe(1);
    expect(output).toContain(`FERRY_ERR_KEY_NOT_UNIQUE_ON_SOURCE: the target key of \`${a}\`.\`t\` -> \`${b}\`.\`t\` (PRIMARY (code)) does not identify a source row`);
  });

  it('refuses a target key column that compares more coarsely than the source one', async () => {
    const setup = await setUp();
    const { a, b } = setup;
    // 'a' and 'A' are two source rows; on the target they would be one, the later overwriting the earlier.
    await setup.source.connection.query(`CREATE TABLE \`${a}\`.t (name VARCHAR(20) COLLATE utf8mb4_bin PRIMARY KEY, v INT)`);
    await setup.target.connection.query(`CREATE TABLE \`${b}\`.t (name VARCHAR(20) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT)`);
    const { exit, output } = await run(setup, [`  - source: ${a}.t`, `    target: ${b}.t`]);
    expect(exit).toBe(1);
    expect(output).toContain("compared more coarsely: 'name' (utf8mb4_bin on the source, utf8mb4_general_ci on the target)");
  });

  it('refuses a temporal key column with fewer fractional digits on the target', async () => {
    const setup = await setUp();
    const { a, b } = setup;
    // Two source rows in one second would round to one target key.
    await setup.source.connection.query(`CREATE TABLE \`${a}\`.t (at DATETIME(6) PRIMARY KEY, v INT)`);
    await setup.target.connection.query(`CREATE TABLE \`${b}\`.t (at DATETIME PRIMARY KEY, v INT)`);
    const { exit, output } = await run(setup, [`  - source: ${a}.t`, `    target: ${b}.t`]);
    expect(exit).toBe(1);
    expect(output).toContain("compared more coarsely: 'at' (datetime(6) on the source, datetime on the target)");
  });

  it('applies by a NOT NULL unique key the rule keeps when the target has an id of its own', async () => {
    const setup = await setUp();
    const { a, b } = setup;
    await setup.source.connection.query(`CREATE TABLE \`${a}\`.t (code VARCHAR(20) PRIMARY KEY, v INT)`);
    await setup.target.connection.query(`CREATE TABLE \`${b}\`.t (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(20) NOT NULL, v INT, UNIQUE KEY u_code (code))`);
    const ferry = await start(setup, [`  - source: ${a}.t`, `    target: ${b}.t`]);
    await expect.poll(async () => (ferry.child.exitCode === null ? claimed(setup) : `exited: ${ferry.output()}`), { timeout: 60_000 }).toBe(true);
    const src = setup.source.connection;
    await src.query(`INSERT INTO \`${a}\`.t VALUES ('a', 1), ('b', 2), ('c', 3)`);
    await src.query(`BEGIN; UPDATE \`${a}\`.t SET v = 10 WHERE code = 'a'; DELETE FROM \`${a}\`.t WHERE code = 'b'; INSERT INTO \`${a}\`.t VALUES ('d', 4); COMMIT`);
    await src.query(`UPDATE \`${a}\`.t SET code = 'e' WHERE code = 'c'`);
    const query = async (connection: typeof src, schema: string) => JSON.stringify((await connection.query<RowDataPacket[]>(`SELECT code, v FROM \`${schema}\`.t ORDER BY code`))[0]);
    const expected = await query(src, a);
    expect(expected).toBe(JSON.stringify([{ code: 'a', v: 10 }, { code: 'd', v: 4 }, { code: 'e', v: 3 }]));
    await expect.poll(async () => (ferry.child.exitCode === null ? query(setup.target.connection, b) : `exited: ${ferry.output()}`), { timeout: 60_000 }).toBe(expected);
    expect(await ferry.kill('SIGTERM')).toBe(0);
  });
});
