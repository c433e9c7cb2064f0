import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { scratchMariaDbs } from '../../support/scratch-mariadb.ts';
import { patient } from '../../support/waits.ts';
import { expectIdentical, masters, onEach, pipelineFile, ROWS_TABLE, runPipeline, waitForQuietBinlogs } from './loops-support.ts';

const S = 'ddlflow';

/** The statements of Query events in the server's binlogs that contain `text`. */
async function loggedStatements(connection: Connection, text: string): Promise<string[]> {
  const [logs] = await connection.query<RowDataPacket[]>('SHOW BINARY LOGS');
  const found: string[] = [];
  for (const log of logs) {
    const [events] = await connection.query<RowDataPacket[]>(`SHOW BINLOG EVENTS IN '${String(log.Log_name)}'`);
    for (const event of events) if (event.Event_type === 'Query' && String(event.Info).includes(text)) found.push(String(event.Info));
  }
  return found;
}

/** Rows of a table of the test's schema; -1 while it does not exist. */
async function rowCount(connection: Connection, table: string): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${S}.${table}`).catch(() => [[{ n: -1 }]] as unknown as [RowDataPacket[]]);
  return Number(rows[0]!.n);
}

async function columns(connection: Connection, table: string): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [S, table]);
  return rows.map((row) => String(row.c));
}

describe('bidirectional pipelines: DDL', () => {
  it("the primary's DDL reaches the other master once and does not come back", async () => {
    const [a, b] = await masters(await scratchMariaDbs(2));
    await onEach([a!, b!], S, ROWS_TABLE.replace('%s', 'items'));
    const forward = await runPipeline(pipelineFile('a-to-b', a!, b!, [`${S}.*`], { bidirectional: { mirror: 'b-to-a', primary: true }, ddl: 'apply' }));
    const back = await runPipeline(pipelineFile('b-to-a', b!, a!, [`${S}.*`], { bidirectional: { mirror: 'a-to-b' }, ddl: 'apply' }));

    const ddl = [
      'ALTER TABLE items ADD flows_once_c INT NULL',
      'CREATE TABLE flows_once_t (id INT PRIMARY KEY, v INT)',
      'CREATE TABLE flows_once_copy (PRIMARY KEY (id)) SELECT id, qty FROM items',
      'CREATE TABLE flows_once_gone (id INT PRIMARY KEY)',
      'RENAME TABLE flows_once_gone TO flows_once_renamed',
      'DROP TABLE flows_once_renamed',
      'TRUNCATE TABLE flows_once_t',
    ];
    await a!.connection.query(`USE ${S}`);
    await a!.connection.query("INSERT INTO items VALUES (1, 'a', 1, NULL), (2, 'a', 2, NULL)");
    for (const sql of ddl) await a!.connection.query(sql);
    // Rows written on both sides after the DDL use the new column and table.
    await a!.connection.query('INSERT INTO items VALUES (3, "a", 3, NULL, 30); INSERT INTO flows_once_t VALUES (1, 1)');
    // Once B holds A's row written after the TRUNCATE, every statement reached B (a row B wrote
    // before the TRUNCATE arrived would be truncated there: TRUNCATE is no row change).
    await expect.poll(() => rowCount(b!.connection, 'flows_once_t'), { timeout: patient(120_000) }).toBe(1);
    await b!.connection.query(`INSERT INTO ${S}.items VALUES (1003, 'b', 3, NULL, 31); INSERT INTO ${S}.flows_once_t VALUES (2, 2)`);

    for (const table of ['items', 'flows_once_t', 'flows_once_copy']) await expectIdentical([a!.connection, b!.connection], S, table);
    await waitForQuietBinlogs([a!.connection, b!.connection]);
    expect(forward.child.exitCode ?? forward.child.signalCode).toBeNull();
    expect(back.child.exitCode ?? back.child.signalCode).toBeNull();
    // Once on each master: the application's statement on A, Ferry's marked one on B.
    const onA = await loggedStatements(a!.connection, 'flows_once');
    const onB = await loggedStatements(b!.connection, 'flows_once');
    expect(onA).toHaveLength(ddl.length);
    expect(onA.some((sql) => sql.includes('ferry:'))).toBe(false);
    expect(onB).toHaveLength(ddl.length);
    expect(onB.every((sql) => sql.includes('/* ferry:a-to-b */'))).toBe(true);
    expect(await columns(b!.connection, 'flows_once_renamed')).toEqual([]);
  });

  it('DDL on the non-primary master stops the other direction with FERRY_ERR_DDL_NOT_PRIMARY; reverted and stepped over, both go on', async () => {
    const [a, b] = await masters(await scratchMariaDbs(2));
    await onEach([a!, b!], S, ROWS_TABLE.replace('%s', 'items'));
    await runPipeline(pipelineFile('a-to-b', a!, b!, [`${S}.*`], { bidirectional: { mirror: 'b-to-a', primary: true }, ddl: 'apply' }));
    const back = await runPipeline(pipelineFile('b-to-a', b!, a!, [`${S}.*`], { bidirectional: { mirror: 'a-to-b' }, ddl: 'apply' }));

    await b!.connection.query(`INSERT INTO ${S}.items VALUES (1, 'b', 1, NULL)`);
    await b!.connection.query(`ALTER TABLE ${S}.items ADD not_here INT NULL`);
    expect(await back.exited).toBe(1);
    expect(back.output()).toContain('FERRY_ERR_DDL_NOT_PRIMARY');
    // It stopped after the row before the statement, and the statement never reached A.
    const [rows] = await a!.connection.query<RowDataPacket[]>(`SELECT id FROM ${S}.items ORDER BY id`);
    expect(rows.map((row) => Number(row.id))).toEqual([1]);
    expect(await columns(a!.connection, 'items')).not.toContain('not_here');

    // What the error says to do: revert it on the non-primary master, step over both statements.
    await b!.connection.query(`ALTER TABLE ${S}.items DROP COLUMN not_here`);
    await runPipeline(pipelineFile('b-to-a', b!, a!, [`${S}.*`], { bidirectional: { mirror: 'a-to-b' }, ddl: 'ignore' }));
    await b!.connection.query(`INSERT INTO ${S}.items VALUES (2, 'b', 2, NULL)`);
    await a!.connection.query(`INSERT INTO ${S}.items VALUES (3, 'a', 3, NULL)`);
    await expectIdentical([a!.connection, b!.connection], S, 'items');
    expect(await columns(a!.connection, 'items')).toEqual(await columns(b!.connection, 'items'));
  });
});
