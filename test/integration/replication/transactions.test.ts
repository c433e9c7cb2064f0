import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { scratchTestDatabase } from '../../support/scratch-mariadb.ts';
import { checksum, dumpTable } from '../../support/tables.ts';

/**
 * Source transactions of unusual shape through `bin/ferry run`, against MariaDB 10.11:
 * SAVEPOINT and ROLLBACK TO (logged when a non-transactional table changed in the
 * transaction), MyISAM-only transactions ending with COMMIT, a ROLLBACK that leaves MyISAM
 * rows behind, CREATE TABLE ... SELECT inside BEGIN, XA. Source and target tables are
 * compared at the end.
 */

const DEADLINE_MS = 180_000;

function tail(ferry: FerryProcess, lines = 15): string {
  return ferry.output().split('\n').slice(-lines).join('\n');
}

/** Waits for a condition; fails at once, with Ferry's log, if Ferry exits meanwhile. */
async function until(ferry: FerryProcess, what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await condition())) {
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    if (exit !== null) throw new Error(`Ferry exited (${String(exit)}) before ${what}\n${tail(ferry)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${tail(ferry)}`);
    await sleep(200);
  }
}

async function count(connection: Connection, sql: string): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(sql);
  return Number(rows[0]?.n ?? 0);
}

/** Starts Ferry and waits until a row written on the source after the start reaches the target. */
async function replicating(pair: ReplicationPair, extra: string[] = []): Promise<FerryProcess> {
  const ferry = startFerry(pair.runArgs(extra));
  const s = `\`${pair.schema}\``;
  await until(ferry, 'the pipeline to start', async () => (await count(pair.target.connection, `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_ferry' AND TABLE_NAME = 'checkpoints'`)) > 0
    && (await count(pair.target.connection, `SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = '${pair.schema}'`)) > 0);
  await pair.source.connection.query(`INSERT INTO ${s}.i VALUES (1000, 0)`);
  await until(ferry, 'the first row to arrive', async () => (await count(pair.target.connection, `SELECT COUNT(*) AS n FROM ${s}.i WHERE id = 1000`)) === 1);
  return ferry;
}

/** Waits until every table of the schema has the source's checksum, then compares row by row. */
async function expectConverges(pair: ReplicationPair, ferry: FerryProcess, tables: string[]): Promise<void> {
  const { source, target, schema } = pair;
  await until(ferry, `${tables.join(', ')} to converge`, async () => {
    for (const table of tables) {
      if ((await count(target.connection, `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${schema}' AND TABLE_NAME = '${table}'`)) === 0) return false;
      if ((await checksum(target.connection, schema, table)) !== (await checksum(source.connection, schema, table))) return false;
    }
    return true;
  });
  for (const table of tables) expect(await dumpTable(target.connection, schema, table), table).toEqual(await dumpTable(source.connection, schema, table));
}

describe('bin/ferry run: transaction shapes', () => {
  it('replicates savepoints rolled back beside MyISAM changes, MyISAM-only groups, rollbacks, CREATE TABLE ... SELECT in BEGIN and one-phase XA exactly', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE i (id INT PRIMARY KEY, v INT) ENGINE=InnoDB; CREATE TABLE m (id INT PRIMARY KEY, v INT) ENGINE=MyISAM');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    await db.query('INSERT INTO i VALUES (1, 1), (2, 2), (3, 3); INSERT INTO m VALUES (1, 1)');
    await pair.target.connection.query(`USE \`${pair.schema}\`; INSERT INTO i VALUES (1, 1), (2, 2), (3, 3); INSERT INTO m VALUES (1, 1)`);
    const ferry = await replicating(pair, ['--ddl', 'apply']);

    // The MyISAM change makes the server log SAVEPOINT and ROLLBACK TO: the InnoDB rows after
    // the savepoint were undone on the source and must not reach the target.
    await db.query('BEGIN; INSERT INTO i VALUES (10, 10); SAVEPOINT s1; INSERT INTO i VALUES (11, 11); UPDATE i SET v = 20 WHERE id = 1; INSERT INTO m VALUES (10, 10); ROLLBACK TO SAVEPOINT s1; INSERT INTO i VALUES (12, 12); COMMIT');
    // Nested savepoints, deletes and a multi-table update touching both engines.
    await db.query('BEGIN; UPDATE i SET v = 30 WHERE id = 2; SAVEPOINT a; DELETE FROM i WHERE id = 3; SAVEPOINT b; UPDATE i, m SET i.v = 31, m.v = 31 WHERE i.id = 2 AND m.id = 1; ROLLBACK TO b; INSERT INTO i VALUES (13, 13); ROLLBACK TO SAVEPOINT a; INSERT INTO i VALUES (14, 14); COMMIT');
    // A savepoint name that needs quoting, rolled back to after it was set twice.
    await db.query('BEGIN; INSERT INTO m VALUES (11, 11); SAVEPOINT `odd name`; INSERT INTO i VALUES (15, 15); SAVEPOINT `odd name`; INSERT INTO i VALUES (16, 16); ROLLBACK TO `odd name`; COMMIT');
    // MyISAM only: BEGIN ... COMMIT without XID.
    await db.query('BEGIN; INSERT INTO m VALUES (2, 2); UPDATE m SET v = 3 WHERE id = 2; COMMIT');
    // A ROLLBACK keeps the MyISAM row on the source, drops the InnoDB one.
    await db.query('BEGIN; INSERT INTO i VALUES (17, 17); INSERT INTO m VALUES (3, 3); ROLLBACK');
    // CREATE TABLE ... SELECT inside BEGIN commits the open transaction first.
    await db.query('BEGIN; INSERT INTO i VALUES (18, 18); CREATE TABLE c1 (PRIMARY KEY (id)) SELECT * FROM i; INSERT INTO i VALUES (19, 19); COMMIT');
    // XA committed in one phase is logged as an ordinary transaction.
    await db.query("XA START 'one'; INSERT INTO i VALUES (20, 20); XA END 'one'; XA COMMIT 'one' ONE PHASE");

    await expectConverges(pair, ferry, ['i', 'm', 'c1']);
    expect(await dumpTable(pair.target.connection, pair.schema, 'i')).not.toContain(expect.stringContaining('11'));
    expect(ferry.child.exitCode).toBeNull();
  }, 300_000);

  it('passes over a two-phase XA transaction on a table no rule replicates, and goes on', async () => {
    // Its own source, as below: a pipeline of another test started between this XA PREPARE
    // and its XA COMMIT would stop, never having seen the prepared rows.
    const pair = await replicationPair({ source: await scratchTestDatabase() });
    await pair.onBoth('CREATE TABLE i (id INT PRIMARY KEY, v INT) ENGINE=InnoDB');
    const db = pair.source.connection;
    const other = `${pair.schema}_other`;
    await db.query(`CREATE DATABASE \`${other}\`; CREATE TABLE \`${other}\`.t (id INT PRIMARY KEY) ENGINE=InnoDB`);
    await db.query(`USE \`${pair.schema}\``);
    const ferry = await replicating(pair);
    await db.query(`XA START 'elsewhere'; INSERT INTO \`${other}\`.t VALUES (1); XA END 'elsewhere'; XA PREPARE 'elsewhere'`);
    await db.query("XA COMMIT 'elsewhere'");
    await db.query('INSERT INTO i VALUES (1, 1), (2, 2)');
    await expectConverges(pair, ferry, ['i']);
    expect(ferry.child.exitCode).toBeNull();
  }, 300_000);

  it('stops on a two-phase XA transaction with FERRY_ERR_BINLOG_XA, after the rows before it and without its rows', async () => {
    // Its own source: on the shared db1 the XA transaction would stop every other test's pipeline.
    const pair = await replicationPair({ source: await scratchTestDatabase() });
    await pair.onBoth('CREATE TABLE i (id INT PRIMARY KEY, v INT) ENGINE=InnoDB');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const ferry = await replicating(pair);
    await db.query('INSERT INTO i VALUES (1, 1)');
    await until(ferry, 'the row before the XA transaction to arrive', async () => (await count(pair.target.connection, `SELECT COUNT(*) AS n FROM \`${pair.schema}\`.i WHERE id = 1`)) === 1);
    await db.query("XA START 'two'; INSERT INTO i VALUES (2, 2); XA END 'two'; XA PREPARE 'two'");
    await db.query("XA COMMIT 'two'");
    expect(await ferry.exited).toBe(1);
    expect(ferry.output()).toContain('FERRY_ERR_BINLOG_XA');
    const [rows] = await pair.target.connection.query<RowDataPacket[]>(`SELECT id FROM \`${pair.schema}\`.i ORDER BY id`);
    expect(rows.map((row) => Number(row.id))).toEqual([1, 1000]);
  }, 300_000);
});
