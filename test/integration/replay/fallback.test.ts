import { randomBytes } from 'node:crypto';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { expectSameRows, progressAt } from './replay-support.ts';

/**
 * Where replay does not apply, or the target refuses it, rows go by SQL and the tables still
 * end equal (docs/replay.md, 4 and 5). The progress line's rowsReplayed tells which path
 * wrote them; rowsApplied counts the workload's row changes exactly.
 */

async function started(pair: ReplicationPair, extra: string[] = [], targetUrl?: string): Promise<ReturnType<typeof startFerry>> {
  const args = pair.runArgs(extra);
  if (targetUrl !== undefined) args[args.indexOf('--target') + 1] = targetUrl;
  const ferry = startFerry(args);
  await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
  return ferry;
}

const same = (pair: ReplicationPair, table: string) => [
  { connection: pair.source.connection, schema: pair.schema, table },
  { connection: pair.target.connection, schema: pair.schema, table },
] as const;

async function count(pair: ReplicationPair, sql: string): Promise<number> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>(sql);
  return Number(rows[0]?.n);
}

describe('bin/ferry run: replay falls back to SQL', () => {
  it('a row already on the target (duplicate key): the batch goes by SQL and converges; later batches replay', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)');
    await pair.target.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (5, 'already here')`);
    const ferry = await started(pair, ['--binlog-replay', 'require']);
    const db = pair.source.connection;
    await db.query(`INSERT INTO \`${pair.schema}\`.items VALUES ${Array.from({ length: 10 }, (_, i) => `(${i + 1}, 'row ${i + 1}')`).join(',')}`);
    await expectSameRows(ferry, ...same(pair, 'items'));
    expect(await progressAt(ferry, 10)).toEqual({ rowsApplied: 10, rowsReplayed: 0, replayFallbacks: 1 });
    // The fallback is per batch: the next one replays.
    await db.query(`BEGIN; INSERT INTO \`${pair.schema}\`.items VALUES (11, 'eleven'), (12, 'twelve'); UPDATE \`${pair.schema}\`.items SET v = 'five' WHERE id = 5; COMMIT`);
    await expectSameRows(ferry, ...same(pair, 'items'));
    expect(await progressAt(ferry, 13)).toEqual({ rowsApplied: 13, rowsReplayed: 3, replayFallbacks: 1 });
  });

  it('a target table with a trigger or another column type goes by SQL (the trigger fires); one with an extra trailing column replays', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE trig (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL); CREATE TABLE extra (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)');
    await pair.source.connection.query(`CREATE TABLE \`${pair.schema}\`.typed (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)`);
    await pair.target.connection.query([
      `USE \`${pair.schema}\``,
      'CREATE TABLE typed (id INT PRIMARY KEY, v VARCHAR(80) NOT NULL)',
      'CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, trig_id INT NOT NULL)',
      'CREATE TRIGGER trig_audit AFTER INSERT ON trig FOR EACH ROW INSERT INTO audit (trig_id) VALUES (NEW.id)',
      'ALTER TABLE extra ADD COLUMN added INT NOT NULL DEFAULT 7',
    ].join('; '));
    const ferry = await started(pair, ['--binlog-replay', 'require']);
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    await db.query("INSERT INTO trig VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await db.query("INSERT INTO typed VALUES (1, 'a'), (2, 'b')");
    await db.query("UPDATE typed SET v = 'B' WHERE id = 2");
    await expectSameRows(ferry, ...same(pair, 'trig'));
    await expectSameRows(ferry, ...same(pair, 'typed'));
    expect(await count(pair, `SELECT COUNT(*) AS n FROM \`${pair.schema}\`.audit`)).toBe(3);
    expect(await progressAt(ferry, 6)).toEqual({ rowsApplied: 6, rowsReplayed: 0, replayFallbacks: 0 });

    await db.query("INSERT INTO extra VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
    await db.query("BEGIN; UPDATE extra SET v = 'x' WHERE id = 1; DELETE FROM extra WHERE id = 4; COMMIT");
    const rows = async (connection: mysql.Connection) => JSON.stringify((await connection.query(`SELECT id, v FROM \`${pair.schema}\`.extra ORDER BY id`))[0]);
    await expect.poll(async () => (await rows(pair.target.connection)) === (await rows(db)), { timeout: 180_000, interval: 200 }).toBe(true);
    expect(await count(pair, `SELECT COUNT(*) AS n FROM \`${pair.schema}\`.extra WHERE added = 7`)).toBe(3);
    expect(await progressAt(ferry, 12)).toEqual({ rowsApplied: 12, rowsReplayed: 6, replayFallbacks: 0 });
  });

  describe('a target user without BINLOG REPLAY', () => {
    /** A target user with every privilege the SQL path needs, and not BINLOG REPLAY. */
    async function userWithoutReplay(pair: ReplicationPair): Promise<string> {
      const user = `norep_${randomBytes(4).toString('hex')}`;
      const admin = pair.target.connection;
      await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
      onTestFinished(async () => {
        const cleaner = await mysql.createConnection(pair.target.url);
        await cleaner.query(`DROP USER IF EXISTS '${user}'@'%'`);
        await cleaner.end();
      });
      await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, PROCESS ON *.* TO '${user}'@'%'`);
      const url = new URL(pair.target.url);
      url.username = user;
      url.password = 'pw';
      return url.toString();
    }

    it('auto: rows go by SQL for the run and converge', async () => {
      const pair = await replicationPair();
      await pair.onBoth('CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)');
      const ferry = await started(pair, ['--binlog-replay', 'auto'], await userWithoutReplay(pair));
      const db = pair.source.connection;
      await db.query(`INSERT INTO \`${pair.schema}\`.items VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
      await expectSameRows(ferry, ...same(pair, 'items'));
      await db.query(`BEGIN; UPDATE \`${pair.schema}\`.items SET v = 'x' WHERE id = 1; DELETE FROM \`${pair.schema}\`.items WHERE id = 2; COMMIT`);
      await expectSameRows(ferry, ...same(pair, 'items'));
      // The first batch tried, was refused and went by SQL; the rest did not try.
      expect(await progressAt(ferry, 5)).toEqual({ rowsApplied: 5, rowsReplayed: 0, replayFallbacks: 1 });
      expect(ferry.child.exitCode).toBeNull();
    });

    it('require: the pipeline stops with FERRY_ERR_REPLAY_REFUSED and commits nothing', async () => {
      const pair = await replicationPair();
      await pair.onBoth('CREATE TABLE items (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL)');
      const ferry = await started(pair, ['--binlog-replay', 'require'], await userWithoutReplay(pair));
      await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (1, 'a')`);
      expect(await ferry.exited).not.toBe(0);
      expect(ferry.output()).toContain('FERRY_ERR_REPLAY_REFUSED');
      expect(await count(pair, `SELECT COUNT(*) AS n FROM \`${pair.schema}\`.items`)).toBe(0);
    });
  });
});
