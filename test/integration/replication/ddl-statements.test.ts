import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { checksum, dumpTable } from '../../support/tables.ts';

/**
 * Statements as clients that keep comments send them (drivers, gh-ost, ORMs; mysql2 here,
 * since the mariadb CLI strips comments): handled under every DDL policy exactly like their
 * plain forms. Row changes logged as statements, and the cut-over of an online schema change.
 */

const DEADLINE = 180_000;

/** Starts Ferry and waits until its checkpoint exists: from then on every write is read. */
async function started(pair: ReplicationPair, args: string[]): Promise<FerryProcess> {
  const ferry = startFerry(args);
  await until(ferry, 'the checkpoint of the pipeline', async () => {
    const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [pair.schema]).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
    return Number(rows[0]?.n) > 0;
  });
  return ferry;
}

/** Waits for a condition; fails at once, with Ferry's log, if Ferry exits meanwhile (unless `exitOk`). */
async function until(ferry: FerryProcess, what: string, condition: () => Promise<boolean>, exitOk = false): Promise<void> {
  const deadline = Date.now() + DEADLINE;
  while (!(await condition())) {
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    if (exit !== null) {
      if (exitOk) return;
      throw new Error(`Ferry exited (${String(exit)}) before ${what}\n${ferry.output().split('\n').slice(-12).join('\n')}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${ferry.output().split('\n').slice(-12).join('\n')}`);
    await sleep(100);
  }
}

/**
 * Waits until Ferry exits or the marker row (written after the statement) reaches the target:
 * a pipeline that skipped the statement goes on and applies the marker.
 */
async function stoppedBeforeMarker(ferry: FerryProcess, target: Connection, schema: string, table: string, id: number): Promise<void> {
  await until(ferry, `Ferry to stop or row ${id} of ${table} to arrive`, async () => (await ids(target, schema, table)).includes(id), true);
  expect(ferry.child.exitCode, ferry.output().split('\n').slice(-8).join('\n')).toBe(1);
  expect(await ids(target, schema, table)).not.toContain(id);
}

async function ids(connection: Connection, schema: string, table: string): Promise<number[]> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT id FROM \`${schema}\`.\`${table}\` ORDER BY id`).catch(() => [[]] as unknown as [RowDataPacket[]]);
  return rows.map((row) => Number(row.id));
}

async function columnsOf(connection: Connection, schema: string, table: string): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT GROUP_CONCAT(CONCAT_WS(' ', COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE) ORDER BY ORDINAL_POSITION) AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [schema, table],
  );
  return String(rows[0]?.c);
}

/** Waits until the target's tables have the source's columns and rows, then compares every row. */
async function converges(pair: ReplicationPair, ferry: FerryProcess, tables: string[]): Promise<void> {
  const { source, target, schema } = pair;
  await until(ferry, `${tables.join(', ')} to converge`, async () => {
    for (const table of tables) {
      if ((await columnsOf(target.connection, schema, table)) !== (await columnsOf(source.connection, schema, table))) return false;
      if ((await checksum(target.connection, schema, table).catch(() => null)) !== (await checksum(source.connection, schema, table))) return false;
    }
    return true;
  });
  for (const table of tables) expect(await dumpTable(target.connection, schema, table), table).toEqual(await dumpTable(source.connection, schema, table));
}

/** The structured log records (pino JSON lines) with this message. */
function logged(ferry: FerryProcess, msg: string): Array<Record<string, unknown>> {
  return ferry
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.msg === msg);
}

/** The pair's `bin/ferry run` arguments with another --tables list. */
function withTables(args: string[], tables: string): string[] {
  const copy = [...args];
  copy[copy.indexOf('--tables') + 1] = tables;
  return copy;
}

describe('bin/ferry run: DDL behind comments and versioned comments', () => {
  it('stops at TRUNCATE /* c */ TABLE and at /*!50001 ALTER ... */ under stop, and logs them when stepped over with --ddl ignore', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE orders (id INT PRIMARY KEY, v INT)');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    await db.query('INSERT INTO orders VALUES (1, 1), (2, 2)');
    await pair.target.connection.query(`INSERT INTO \`${pair.schema}\`.orders VALUES (1, 1), (2, 2)`);

    const truncate = 'TRUNCATE /* nightly */ TABLE orders';
    const first = await started(pair, pair.runArgs());
    await db.query(truncate);
    await db.query('INSERT INTO orders VALUES (3, 3)');
    await stoppedBeforeMarker(first, pair.target.connection, pair.schema, 'orders', 3);
    expect(first.output()).toContain('FERRY_ERR_DDL_NOT_ALLOWED');
    expect(first.output()).toContain(truncate);

    // The operator's way past it: the same change on the target, one run with --ddl ignore.
    await pair.target.connection.query(`TRUNCATE TABLE \`${pair.schema}\`.orders`);
    const stepping = await started(pair, pair.runArgs(['--ddl', 'ignore']));
    await converges(pair, stepping, ['orders']);
    expect(logged(stepping, 'DDL on a replicated table ignored').map((record) => record.sql)).toEqual([truncate]);
    expect(await stepping.kill('SIGTERM')).toBe(0);

    // A whole statement in a versioned comment, as mysqldump and some tools write them.
    const alter = '/*!50001 ALTER TABLE orders ADD COLUMN note VARCHAR(20) NULL */';
    const second = await started(pair, pair.runArgs());
    await db.query(alter);
    await db.query("INSERT INTO orders VALUES (4, 4, 'after')");
    await stoppedBeforeMarker(second, pair.target.connection, pair.schema, 'orders', 4);
    expect(second.output()).toContain('FERRY_ERR_DDL_NOT_ALLOWED');
    expect(second.output()).toContain(alter);
    await pair.target.connection.query(`ALTER TABLE \`${pair.schema}\`.orders ADD COLUMN note VARCHAR(20) NULL`);
    const again = await started(pair, pair.runArgs(['--ddl', 'ignore']));
    await converges(pair, again, ['orders']);
    expect(logged(again, 'DDL on a replicated table ignored').map((record) => record.sql)).toEqual([alter]);
  });

  it('applies DDL behind comments and in versioned comments with --ddl apply, as the plain forms', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE orders (id INT PRIMARY KEY, v INT); CREATE TABLE scratch (id INT PRIMARY KEY); CREATE TABLE old_name (id INT PRIMARY KEY); CREATE TABLE doomed (id INT PRIMARY KEY)');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    await db.query('INSERT INTO scratch VALUES (1), (2)');
    await pair.target.connection.query(`INSERT INTO \`${pair.schema}\`.scratch VALUES (1), (2)`);
    const ferry = await started(pair, pair.runArgs(['--ddl', 'apply']));

    await db.query('TRUNCATE /* nightly */ TABLE scratch');
    await db.query('INSERT INTO scratch VALUES (3)');
    await db.query('ALTER /*M!100100 ONLINE */ TABLE orders ADD COLUMN note VARCHAR(20) NULL');
    await db.query('/*!50001 ALTER TABLE orders ADD INDEX ix_note (note) */');
    await db.query("INSERT INTO orders VALUES (1, 1, 'one')");
    await db.query('CREATE /* app */ TABLE `made` (id INT PRIMARY KEY) /* end */');
    await db.query('INSERT INTO made VALUES (1)');
    await db.query('RENAME /* app */ TABLE old_name TO new_name');
    await db.query('INSERT INTO new_name VALUES (1)');
    await db.query('DROP /* app */ TABLE doomed');

    await converges(pair, ferry, ['orders', 'scratch', 'made', 'new_name']);
    const [tables] = await pair.target.connection.query<RowDataPacket[]>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [pair.schema]);
    expect(tables.map((row) => String(row.t))).toEqual(['made', 'new_name', 'orders', 'scratch']);
    const [indexes] = await pair.target.connection.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'orders' AND INDEX_NAME = 'ix_note'", [pair.schema]);
    expect(Number(indexes[0]?.n)).toBe(1);
  });
});

describe('bin/ferry run: row changes logged as statements', () => {
  it('stops at a statement-logged row change on a replicated table, also followed by another in its transaction, and not at one on another table', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE orders (id INT PRIMARY KEY, v INT); CREATE TABLE other (id INT PRIMARY KEY)');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const ferry = await started(pair, withTables(pair.runArgs(['--ddl', 'apply']), `${pair.schema}.orders`));

    // A session with the privilege may log its statements instead of rows, whatever the server's format.
    await db.query('SET SESSION binlog_format = STATEMENT');
    await db.query('INSERT INTO other VALUES (1)');
    await db.query('SET SESSION binlog_format = ROW');
    await db.query('INSERT INTO orders VALUES (1, 1)');
    await until(ferry, 'row 1 of orders', async () => (await ids(pair.target.connection, pair.schema, 'orders')).includes(1));

    // One transaction of two statements: the one on the replicated table first.
    const statement = 'INSERT /* app */ INTO orders VALUES (2, 2)';
    await db.query(`SET SESSION binlog_format = STATEMENT; BEGIN; ${statement}; INSERT INTO other VALUES (2); COMMIT; SET SESSION binlog_format = ROW`);
    await db.query('INSERT INTO orders VALUES (3, 3)');
    await stoppedBeforeMarker(ferry, pair.target.connection, pair.schema, 'orders', 3);
    expect(ferry.output()).toContain('FERRY_ERR_DDL_UNSUPPORTED');
    expect(ferry.output()).toContain(statement);

    // The way past it: the row by hand, one run with --ddl ignore.
    await pair.target.connection.query(`INSERT INTO \`${pair.schema}\`.orders VALUES (2, 2)`);
    const stepping = await started(pair, withTables(pair.runArgs(['--ddl', 'ignore']), `${pair.schema}.orders`));
    await converges(pair, stepping, ['orders']);
    expect(logged(stepping, 'DDL on a replicated table ignored')).toMatchObject([{ sql: statement, kind: 'dml' }]);
  });
});

describe('bin/ferry run: the cut-over of an online schema change (gh-ost, pt-online-schema-change)', () => {
  /** What gh-ost does, statement by statement, with its comments; `t` is the table it alters. */
  async function ghOst(db: Connection, alter: string): Promise<void> {
    await db.query('create /* gh-ost */ table `_orders_gho` like `orders`');
    await db.query(`alter /* gh-ost */ table \`_orders_gho\` ${alter}`);
    await db.query('insert /* gh-ost */ ignore into `_orders_gho` (`id`, `v`) select `id`, `v` from `orders`');
    await db.query('rename /* gh-ost */ table `orders` to `_orders_del`, `_orders_gho` to `orders`');
    await db.query('drop /* gh-ost */ table if exists `_orders_del`');
  }

  it('stops with FERRY_ERR_DDL_SWAP_IN when the shadow table is not replicated, even under apply; the documented way past it converges', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE orders (id INT PRIMARY KEY, v INT)');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const only = `${pair.schema}.orders`;
    const ferry = await started(pair, withTables(pair.runArgs(['--ddl', 'apply']), only));
    await db.query('INSERT INTO orders VALUES (1, 1), (2, 2)');
    await ghOst(db, 'add column note varchar(20) null');
    await db.query("INSERT INTO orders VALUES (3, 3, 'after'); UPDATE orders SET note = 'n' WHERE id = 1");
    await stoppedBeforeMarker(ferry, pair.target.connection, pair.schema, 'orders', 3);
    expect(ferry.output()).toContain('FERRY_ERR_DDL_SWAP_IN');
    // The target table was left alone, with every row written before the cut-over.
    expect(await ids(pair.target.connection, pair.schema, 'orders')).toEqual([1, 2]);
    expect(await columnsOf(pair.target.connection, pair.schema, 'orders')).toBe('id int(11) NO,v int(11) YES');

    // What the workaround says: the tool's ALTER on the target table, one run with --ddl ignore.
    await pair.target.connection.query(`ALTER TABLE \`${pair.schema}\`.orders ADD COLUMN note VARCHAR(20) NULL`);
    const stepping = await started(pair, withTables(pair.runArgs(['--ddl', 'ignore']), only));
    await converges(pair, stepping, ['orders']);
    expect(logged(stepping, 'DDL on a replicated table ignored')).toMatchObject([{ kind: 'rename', swappedIn: `${pair.schema}._orders_gho` }]);
  });

  it('applies the whole change, cut-over included, under apply when the rules replicate the shadow table', async () => {
    const pair = await replicationPair();
    await pair.onBoth('CREATE TABLE orders (id INT PRIMARY KEY, v INT)');
    const db = pair.source.connection;
    await db.query(`USE \`${pair.schema}\``);
    const ferry = await started(pair, pair.runArgs(['--ddl', 'apply']));
    await db.query('INSERT INTO orders VALUES (1, 1), (2, 2)');
    await ghOst(db, 'add column note varchar(20) null');
    await db.query("INSERT INTO orders VALUES (3, 3, 'after'); UPDATE orders SET note = 'n' WHERE id = 1");
    await converges(pair, ferry, ['orders']);
    const [tables] = await pair.target.connection.query<RowDataPacket[]>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [pair.schema]);
    expect(tables.map((row) => String(row.t))).toEqual(['orders']);
  });
});
