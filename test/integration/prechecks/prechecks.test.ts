import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { assertPrechecksPassed, describeTableKey, PRECHECK_IDS, runPrechecks, type PrecheckContext, type PrecheckResult } from '../../../node/prechecks/index.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { testDatabase, testSchema, type TestDatabase } from '../../support/mariadb.ts';
import { scratchMariaDb } from '../../support/scratch-mariadb.ts';

async function connect(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection(url);
  onTestFinished(() => connection.end());
  return connection;
}

async function scalar(connection: mysql.Connection, sql: string): Promise<string> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
  return String(Object.values(rows[0] ?? {})[0]);
}

/** db1 as the source (replication user), db2 as the target (application user). */
async function setup(): Promise<{ db1: TestDatabase; schema: string; ctx: (tables: string[]) => PrecheckContext }> {
  const db1 = await testDatabase('db1');
  const db2 = await testDatabase('db2');
  const schema = await testSchema(db1, 'pre');
  const source = await connect(db1.replicationUrl);
  return { db1, schema, ctx: (tables) => ({ source, target: db2.connection, tables: tables.map((table) => ({ schema, table })) }) };
}

const byId = (results: PrecheckResult[], id: PrecheckResult['id']): PrecheckResult => {
  const result = results.find((r) => r.id === id);
  if (!result) throw new Error(`no result for ${id}`);
  return result;
};

/** A user of its own on db1, dropped when the test finishes. */
async function testUser(db: TestDatabase, grants: string[]): Promise<string> {
  const user = `fp_${randomBytes(4).toString('hex')}`;
  await db.connection.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
  onTestFinished(async () => {
    const { instance } = db;
    const url = new URL(db.url);
    const admin = await mysql.createConnection({ host: instance.host, port: instance.port, user: url.username, password: url.password });
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await admin.end();
  });
  for (const grant of grants) await db.connection.query(grant.replaceAll('$USER', `'${user}'@'%'`));
  return `mysql://${user}:pw@${db.instance.host}:${db.instance.port}`;
}

describe('prechecks against MariaDB', () => {
  it('all pass on a good setup, resuming from the current file and GTID', async () => {
    const { db1, schema, ctx } = await setup();
    await db1.connection.query(`CREATE TABLE \`${schema}\`.orders (id INT PRIMARY KEY, note TEXT)`);
    await db1.connection.query(`CREATE TABLE \`${schema}\`.codes (country CHAR(2) NOT NULL, code INT NOT NULL, label TEXT NULL, UNIQUE KEY uk_label (label(10)), UNIQUE KEY uk_code (country, code))`);
    const [[status]] = await db1.connection.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const gtid = await scalar(db1.connection, 'SELECT @@GLOBAL.gtid_binlog_pos');

    const byFile = await runPrechecks({ ...ctx(['orders', 'codes']), systemSchema: '_ferry', resumeFrom: { file: String(status?.File), pos: Number(status?.Position) } });
    expect(byFile.filter((r) => !r.ok)).toEqual([]);
    expect(byFile.map((r) => r.id)).toEqual([...PRECHECK_IDS]);
    expect(byId(byFile, 'binlog_retention').detail).toContain(`still holds ${String(status?.File)}`);
    expect(() => assertPrechecksPassed(byFile)).not.toThrow();

    const byGtid = await runPrechecks({ ...ctx(['orders']), resumeFrom: { gtid } });
    expect(byId(byGtid, 'binlog_retention')).toMatchObject({ ok: true, detail: expect.stringContaining(`every transaction after '${gtid}'`) as unknown });
  });

  it('describeTableKey picks the primary key, else the first unique key over NOT NULL columns', async () => {
    const { db1, schema } = await setup();
    await db1.connection.query(`CREATE TABLE \`${schema}\`.pk (a INT, b INT, c INT NOT NULL, PRIMARY KEY (b, a), UNIQUE KEY (c))`);
    await db1.connection.query(`CREATE TABLE \`${schema}\`.uk (a INT NULL, b INT NOT NULL, c INT NOT NULL, UNIQUE KEY uk_a (a), UNIQUE KEY uk_cb (c, b))`);
    await db1.connection.query(`CREATE TABLE \`${schema}\`.none (a INT NULL, UNIQUE KEY uk_a (a), KEY ix (a))`);
    expect(await describeTableKey(db1.connection, schema, 'pk')).toEqual({ kind: 'primary', name: 'PRIMARY', columns: ['b', 'a'] });
    expect(await describeTableKey(db1.connection, schema, 'uk')).toEqual({ kind: 'unique', name: 'uk_cb', columns: ['c', 'b'] });
    expect(await describeTableKey(db1.connection, schema, 'none')).toBeNull();
  });

  it('primary_keys names every table without a usable key, and passes a NOT NULL unique key', async () => {
    const { db1, schema, ctx } = await setup();
    await db1.connection.query(`CREATE TABLE \`${schema}\`.good (id INT PRIMARY KEY)`);
    await db1.connection.query(`CREATE TABLE \`${schema}\`.unique_ok (email VARCHAR(80) NOT NULL, UNIQUE KEY uk_email (email))`);
    await db1.connection.query(`CREATE TABLE \`${schema}\`.no_key (v INT, KEY ix_v (v))`);
    await db1.connection.query(`CREATE TABLE \`${schema}\`.nullable_unique (email VARCHAR(80) NULL, UNIQUE KEY uk_email (email))`);

    const passing = byId(await runPrechecks(ctx(['good', 'unique_ok'])), 'primary_keys');
    expect(passing).toMatchObject({ ok: true, detail: 'all 2 tables have a primary key or a unique key over NOT NULL columns' });

    const results = await runPrechecks(ctx(['good', 'no_key', 'unique_ok', 'nullable_unique']));
    const keys = byId(results, 'primary_keys');
    expect(keys.ok).toBe(false);
    expect(keys.detail).toBe(
      `2 of 4 tables have no primary key and no unique key over NOT NULL columns: \`${schema}\`.\`no_key\`, `
      + `\`${schema}\`.\`nullable_unique\` (unique key uk_email allows NULL in email)`,
    );
    expect(keys.instruction).toContain('ADD PRIMARY KEY');
    expect(results.filter((r) => !r.ok).map((r) => r.id)).toEqual(['primary_keys']);

    let error: unknown;
    try {
      assertPrechecksPassed(results);
    } catch (caught) {
      error = caught;
    }
    expect(isFerryError(error, 'FERRY_ERR_TABLE_NO_KEY')).toBe(true);
    expect((error as Error).message).toBe(`table \`${schema}\`.\`no_key\`, \`${schema}\`.\`nullable_unique\` has no primary key and no unique key over NOT NULL columns`);
  });

  it('primary_keys fails a table that does not exist, naming it', async () => {
    const { schema, ctx } = await setup();
    const keys = byId(await runPrechecks(ctx(['missing'])), 'primary_keys');
    expect(keys).toMatchObject({ ok: false, detail: `cannot read the indexes of \`${schema}\`.\`missing\` (does not exist)` });
    expect(keys.error).toBeUndefined();
  });

  it('skips checks by id', async () => {
    const { db1, schema, ctx } = await setup();
    await db1.connection.query(`CREATE TABLE \`${schema}\`.no_key (v INT)`);
    const results = await runPrechecks(ctx(['no_key']), { skip: ['primary_keys'] });
    expect(byId(results, 'primary_keys')).toEqual({ id: 'primary_keys', ok: true, skipped: true, detail: 'skipped by request' });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(() => assertPrechecksPassed(results)).not.toThrow();
  });

  it('privileges names what each user lacks and the GRANTs that fix it', async () => {
    const { db1, schema, ctx } = await setup();
    await db1.connection.query(`CREATE TABLE \`${schema}\`.t (id INT PRIMARY KEY)`);
    const other = await testSchema(db1, 'pre');
    await db1.connection.query(`CREATE TABLE \`${other}\`.t (id INT PRIMARY KEY)`);
    const sourceUrl = await testUser(db1, ['GRANT REPLICATION SLAVE ON *.* TO $USER', `GRANT SELECT ON \`${schema}\`.* TO $USER`]);
    const targetUrl = await testUser(db1, [`GRANT SELECT, INSERT ON \`${schema}\`.* TO $USER`, `GRANT UPDATE, DELETE ON \`${schema}\`.\`t\` TO $USER`]);
    const source = await connect(sourceUrl);
    const target = await connect(targetUrl);
    const sourceUser = new URL(sourceUrl).username;
    const targetUser = new URL(targetUrl).username;

    const tables = [...ctx(['t']).tables, { schema: other, table: 't' }];
    const result = byId(await runPrechecks({ source, target, tables }, { skip: ['primary_keys'] }), 'privileges');
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(
      `source user '${sourceUser}'@'%' lacks BINLOG MONITOR (global); lacks SELECT on \`${other}\`.\`t\`; `
      + `target user '${targetUser}'@'%' lacks SELECT, INSERT, UPDATE, DELETE on \`${other}\`.\`t\``,
    );
    expect(result.instruction).toContain(`On the source run: GRANT BINLOG MONITOR ON *.* TO '${sourceUser}'@'%'; GRANT SELECT ON \`${other}\`.* TO '${sourceUser}'@'%';`);
    expect(result.instruction).toContain(`On the target run: GRANT SELECT, INSERT, UPDATE, DELETE ON \`${other}\`.* TO '${targetUser}'@'%';`);
  });

  it('privileges counts a default role and a wildcard schema grant', async () => {
    const { db1, schema, ctx } = await setup();
    const role = `fr_${randomBytes(4).toString('hex')}`;
    await db1.connection.query(`CREATE ROLE ${role}`);
    onTestFinished(async () => {
      const url = new URL(db1.url);
      const admin = await mysql.createConnection({ host: db1.instance.host, port: db1.instance.port, user: url.username, password: url.password });
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    });
    await db1.connection.query(`GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO ${role}`);
    // Schema names are LIKE patterns in grants: 'pre\_%' covers the test schema.
    const sourceUrl = await testUser(db1, [`GRANT ${role} TO $USER`, `SET DEFAULT ROLE ${role} FOR $USER`, 'GRANT SELECT ON `pre\\_%`.* TO $USER']);
    const source = await connect(sourceUrl);
    const results = await runPrechecks({ ...ctx(['t']), source }, { skip: ['primary_keys'] });
    expect(byId(results, 'privileges')).toMatchObject({ ok: true });
    expect(schema.startsWith('pre_')).toBe(true);
  });
});

describe('binlog_retention against MariaDB', () => {
  it('fails clearly for a file and a GTID position the source purged', async () => {
    // Purging on a shared server would cut off other tests that resume from a checkpoint.
    const scratch = await scratchMariaDb();
    const admin = await scratch.connect();
    const db2 = await testDatabase('db2');
    const source = await connect(scratch.replicationUrl);
    const schema = `pre_${randomBytes(5).toString('hex')}`;
    await admin.query(`CREATE DATABASE \`${schema}\``);
    await admin.query(`CREATE TABLE \`${schema}\`.t (id INT PRIMARY KEY)`);
    const ctx: PrecheckContext = { source, target: db2.connection, tables: [{ schema, table: 't' }] };
    // The checkpoint: just before a transaction that is then purged.
    const gtid = await scalar(admin, 'SELECT @@GLOBAL.gtid_binlog_pos');
    const [[status]] = await admin.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const file = String(status?.File);
    await admin.query(`INSERT INTO \`${schema}\`.t VALUES (1)`);
    await admin.query('FLUSH BINARY LOGS');
    await admin.query('FLUSH BINARY LOGS');
    const [[now]] = await admin.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    // MariaDB keeps a file until InnoDB has made its commits durable (binlog checkpoint), a
    // moment after the flush: purge until only the newest file is left.
    await expect.poll(async () => {
      await admin.query(`PURGE BINARY LOGS TO '${String(now?.File)}'`);
      const [logs] = await admin.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
      return logs.map((log) => String(log.Log_name));
    }, { timeout: 120_000 }).toEqual([String(now?.File)]);

    const byFile = await runPrechecks({ ...ctx, resumeFrom: { file, pos: Number(status?.Position) } });
    const fileResult = byId(byFile, 'binlog_retention');
    expect(fileResult).toMatchObject({ ok: false, error: { code: 'FERRY_ERR_BINLOG_PURGED', details: { position: `${file}:${String(status?.Position)}` } } });
    expect(fileResult.detail).toBe(`${file} was purged: the oldest binlog on the source is ${String(now?.File)}`);
    expect(fileResult.instruction).toContain('full sync');
    expect(byFile.filter((r) => !r.ok).map((r) => r.id)).toEqual(['binlog_retention']);
    let error: unknown;
    try {
      assertPrechecksPassed(byFile);
    } catch (caught) {
      error = caught;
    }
    expect(isFerryError(error, 'FERRY_ERR_BINLOG_PURGED')).toBe(true);
    expect((error as Error).message).toBe(`the source no longer holds the binlog at ${file}:${String(status?.Position)}: ${fileResult.detail}`);

    const current = await scalar(admin, 'SELECT @@GLOBAL.gtid_binlog_pos');
    const byGtid = byId(await runPrechecks({ ...ctx, resumeFrom: { gtid } }), 'binlog_retention');
    expect(byGtid).toMatchObject({ ok: false, error: { code: 'FERRY_ERR_BINLOG_PURGED', details: { position: gtid } } });
    const seq = (position: string): string => position.split('-')[2] ?? '?';
    expect(byGtid.detail).toContain(`domain ${scratch.instance.gtidDomainId} needs transactions after seq ${seq(gtid)}, purged up to seq ${seq(current)}`);

    expect(byId(await runPrechecks({ ...ctx, resumeFrom: { gtid: current } }), 'binlog_retention').ok).toBe(true);
  });

  it('fails a file the source never had, and an offset past the end of a file', async () => {
    const { db1, ctx } = await setup();
    const [[status]] = await db1.connection.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
    const file = String(status?.File);
    const other = byId(await runPrechecks({ ...ctx([]), resumeFrom: { file: 'other-bin.000001', pos: 4 } }), 'binlog_retention');
    expect(other).toMatchObject({ ok: false, detail: expect.stringContaining('the source has no binlog other-bin.000001') as unknown });
    expect(other.error).toBeUndefined();
    const past = byId(await runPrechecks({ ...ctx([]), resumeFrom: { file, pos: 1_000_000_000 } }), 'binlog_retention');
    expect(past).toMatchObject({ ok: false, detail: expect.stringContaining(`position ${file}:1000000000 is past the end of ${file}`) as unknown });
  });
});
