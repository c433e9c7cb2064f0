import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { applyDdl } from '../../../node/pipeline/ddl-apply.ts';
import { BinlogReader } from '../../../node/select/binlog-reader.ts';
import { resolvePipeline, type RuntimePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { SourceTransaction, TableRef } from '../../../shared/model/change.ts';
import { scratchMariaDbs, type ScratchMariaDb } from '../../support/scratch-mariadb.ts';
import { patient } from '../../support/waits.ts';

/**
 * What MariaDB writes to the binlog for each kind of DDL Load runs, marked: the statements go
 * through applyDdl (as a pipeline applies a source's DDL) on a real server, and Ferry's own
 * binlog reader must find the pipeline's mark on each, wherever the server rewrites the text.
 */

/** Every transaction a BinlogReader assembles from the server's binlog from now on. */
async function readBinlog(server: ScratchMariaDb, connection: Connection): Promise<{ next(): Promise<SourceTransaction> }> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
  const url = new URL(server.replicationUrl);
  const received: SourceTransaction[] = [];
  let failure: Error | undefined;
  const reader = new BinlogReader({
    endpoint: { host: url.hostname, port: Number(url.port), user: url.username, password: url.password },
    serverId: 31_337,
    start: { file: '', pos: 4, gtidSet: String(rows[0]!.pos) },
    heartbeatMs: 1_000,
    silenceMs: 30_000,
    log: silentLogger(),
    markTable: { schema: '_ferry', table: 'checkpoints' },
    onTransaction: (transaction) => received.push(transaction),
    onError: (error) => (failure = error),
  });
  await reader.start();
  onTestFinished(() => reader.stop());
  return {
    next: async () => {
      await expect.poll(() => {
        if (failure) throw failure;
        return received.length;
      }, { timeout: patient(60_000), interval: 50 }).toBeGreaterThan(0);
      return received.shift()!;
    },
  };
}

const ddlOf = (transaction: SourceTransaction): string => transaction.ddl?.sql ?? '(no DDL)';

describe('DDL marks on a real server', () => {
  it('every kind of DDL Load runs reaches the binlog with its mark, read back into appliedBy', async () => {
    const [server] = await scratchMariaDbs(1);
    const connection = await server!.connect();
    await connection.query('CREATE DATABASE src; CREATE DATABASE dst; CREATE DATABASE other');
    const pool = mysql.createPool({ ...poolOptions(server!), connectionLimit: 1 });
    onTestFinished(() => pool.end());
    // Source schema src replicated into dst: the statements Load runs name dst.
    const pipeline: RuntimePipeline = resolvePipeline({ name: 'east-to-west', source: server!.replicationUrl, target: server!.url, tables: [{ source: 'src.*', target: 'dst.*' }], ddl: 'apply' });
    const binlog = await readBinlog(server!, connection);
    const knownTables = new Map<string, TableRef>();
    let sentinel = 0;

    /** Applies a source statement as Load does; returns what the binlog held for it, up to a sentinel statement after it. */
    const applied = async (sql: string): Promise<SourceTransaction[]> => {
      await applyDdl({ end: { file: 'x', pos: 4 }, timestamp: 0, changes: [], ddl: { schema: 'src', sql } }, { pipeline, pool, log: silentLogger(), firstAfterResume: false, knownTables });
      const name = `sentinel_${++sentinel}`;
      await connection.query(`CREATE TABLE other.${name} (id INT PRIMARY KEY)`);
      const logged: SourceTransaction[] = [];
      for (let t = await binlog.next(); !ddlOf(t).includes(name); t = await binlog.next()) logged.push(t);
      return logged;
    };
    const expectMarked = async (sql: string, loggedAs: RegExp): Promise<void> => {
      const logged = await applied(sql);
      expect(logged.map(ddlOf), sql).toHaveLength(1);
      expect(ddlOf(logged[0]!), sql).toMatch(loggedAs);
      expect(logged[0]!.appliedBy, `${sql} logged as ${ddlOf(logged[0]!)}`).toEqual(['east-to-west']);
    };

    await expectMarked('CREATE TABLE t1 (id INT PRIMARY KEY, a INT)', /^\/\* ferry:east-to-west \*\/ CREATE TABLE `dst`.`t1`/);
    await expectMarked('ALTER TABLE t1 ADD b INT', /ALTER TABLE `dst`.`t1` ADD b INT$/);
    await expectMarked('RENAME TABLE t1 TO t2', /RENAME TABLE `dst`.`t1` TO `dst`.`t2`$/);
    await expectMarked('TRUNCATE TABLE t2', /TRUNCATE TABLE `dst`.`t2`$/);
    await expectMarked('CREATE OR REPLACE TABLE t3 (id INT PRIMARY KEY)', /CREATE OR REPLACE TABLE `dst`.`t3`/);
    await expectMarked('CREATE OR REPLACE TABLE t3 (id INT PRIMARY KEY, c INT)', /CREATE OR REPLACE TABLE `dst`.`t3`/);
    // Executable comments, as mariadb-dump and some tools write them.
    await expectMarked('/*!40000 ALTER TABLE t3 ADD d INT */', /\/\*!40000 ALTER TABLE `dst`.`t3` ADD d INT \*\/$/);
    await expectMarked('/*M!100000 ALTER TABLE t3 ADD e INT */', /\/\*M!100000 ALTER TABLE `dst`.`t3` ADD e INT \*\/$/);
    await expectMarked('CREATE INDEX by_d ON t3 (d)', /CREATE INDEX by_d ON `dst`.`t3`/);
    await expectMarked('ALTER TABLE t3 RENAME TO t4', /ALTER TABLE `dst`.`t3` RENAME TO `dst`.`t4`$/);
    // DROP TABLE is logged as a statement the server builds: the mark stands after the keywords.
    await expectMarked('CREATE TABLE t5 (id INT PRIMARY KEY)', /CREATE TABLE/);
    await expectMarked('DROP TABLE t4, t5', /^DROP TABLE IF EXISTS \/\* ferry:east-to-west \*\/ `dst`.`t4`,`dst`.`t5` \/\* generated by server \*\/$/);
    await expectMarked('DROP TABLE IF EXISTS t4', /^DROP TABLE IF EXISTS \/\* ferry:east-to-west \*\/ `dst`.`t4` \/\* generated by server \*\//);
    await expectMarked('DROP TABLE t2', /^DROP TABLE IF EXISTS \/\* ferry:east-to-west \*\/ `dst`.`t2`/);
    // A table that is missing among the dropped ones.
    await expectMarked('CREATE TABLE t6 (id INT PRIMARY KEY)', /CREATE TABLE/);
    await expectMarked('DROP TABLE IF EXISTS t6, t7', /^DROP TABLE IF EXISTS \/\* ferry:east-to-west \*\/ `dst`.`t6`,`dst`.`t7`/);
    // DROP DATABASE of the source: Load drops the replicated tables it knew, marked the same way.
    await expectMarked('CREATE TABLE t8 (id INT PRIMARY KEY)', /CREATE TABLE/);
    knownTables.set('src\u0000t8', { schema: 'src', table: 't8' });
    await expectMarked('DROP DATABASE src', /^DROP TABLE IF EXISTS \/\* ferry:east-to-west \*\/ .*`dst`.`t8` \/\* generated by server \*\/$/);
    // CREATE TABLE IF NOT EXISTS of a table that exists is not logged at all: nothing to mark.
    await expectMarked('CREATE TABLE t9 (id INT PRIMARY KEY)', /CREATE TABLE/);
    expect(await applied('CREATE TABLE IF NOT EXISTS t9 (id INT PRIMARY KEY)')).toEqual([]);
  });

  it('CREATE TABLE ... SELECT: the source logs a CREATE TABLE it writes itself; Load runs that, and it is logged marked', async () => {
    const [server] = await scratchMariaDbs(1);
    const connection = await server!.connect();
    await connection.query('CREATE DATABASE src; CREATE DATABASE dst; CREATE TABLE src.base (id INT PRIMARY KEY, v VARCHAR(8)); INSERT INTO src.base VALUES (1, "a"), (2, "b")');
    const pool = mysql.createPool({ ...poolOptions(server!), connectionLimit: 1 });
    onTestFinished(() => pool.end());
    const pipeline = resolvePipeline({ name: 'east-to-west', source: server!.replicationUrl, target: server!.url, tables: [{ source: 'src.*', target: 'dst.*' }], ddl: 'apply' });
    const binlog = await readBinlog(server!, connection);
    await connection.query('/* a user comment */ CREATE TABLE src.copied (PRIMARY KEY (id)) SELECT id, v FROM src.base');
    const source = await binlog.next();
    // One group: the server's own CREATE TABLE text (no comment of the user's), then the rows.
    expect(ddlOf(source)).toMatch(/^CREATE TABLE `src`.`copied` \(/);
    expect(source.changes).toHaveLength(2);
    expect(source.appliedBy).toBeUndefined();
    await applyDdl(source, { pipeline, pool, log: silentLogger(), firstAfterResume: false, knownTables: new Map() });
    const logged = await binlog.next();
    expect(ddlOf(logged)).toMatch(/^\/\* ferry:east-to-west \*\/ CREATE TABLE `dst`.`copied` \(/);
    expect(logged.appliedBy).toEqual(['east-to-west']);
    expect(logged.changes).toEqual([]);
  });
});

function poolOptions(server: ScratchMariaDb): mysql.PoolOptions {
  const url = new URL(server.url);
  return { host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}
