import mysql from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runPrechecks, type PrecheckResult } from '../../../node/prechecks/index.ts';
import { scratchMariaDbs, type ScratchMariaDb } from '../../support/scratch-mariadb.ts';

/**
 * The auto_increment precheck against two real masters whose GLOBAL settings the test sets,
 * and what the servers then really generate: each inserts rows from a new session (the
 * applications' next connection) and the ids of the two sides are compared.
 */

async function connect(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection(url);
  onTestFinished(() => connection.end().catch(() => undefined));
  return connection;
}

async function setGlobal(server: ScratchMariaDb, increment: number, offset: number): Promise<void> {
  const admin = await server.connect();
  await admin.query(`SET GLOBAL auto_increment_increment = ${increment}, auto_increment_offset = ${offset}`);
}

/** Ids a new session of `server` gives 20 rows of a new table. */
async function generatedIds(server: ScratchMariaDb, table: string): Promise<number[]> {
  const session = await server.connect();
  await session.query(`CREATE DATABASE IF NOT EXISTS ai; CREATE TABLE ai.${table} (id INT AUTO_INCREMENT PRIMARY KEY, x INT) ENGINE=InnoDB`);
  for (let i = 0; i < 20; i += 1) await session.query(`INSERT INTO ai.${table} (x) VALUES (?)`, [i]);
  const [rows] = await session.query<mysql.RowDataPacket[]>(`SELECT id FROM ai.${table} ORDER BY id`);
  return rows.map((row) => Number(row.id));
}

async function verdict(source: ScratchMariaDb, target: ScratchMariaDb, bidirectional: boolean): Promise<PrecheckResult> {
  const ctx = { source: await connect(source.replicationUrl), target: await connect(target.url), tables: [], bidirectional };
  const results = await runPrechecks(ctx, { skip: ['tested_flavor', 'privileges', 'primary_keys', 'binlog_retention'] });
  return results.find((r) => r.id === 'auto_increment')!;
}

describe('auto_increment precheck on two masters', () => {
  it('refuses settings under which both masters generate the same ids, passes increment 2 with offsets 1 and 2', async () => {
    const [a, b] = await scratchMariaDbs(2);

    // The servers' defaults (increment 1): the same ids on both sides.
    expect(await verdict(a!, b!, true)).toMatchObject({ ok: false, detail: expect.stringContaining('both masters can generate the same AUTO_INCREMENT id') as string });
    expect(await verdict(a!, b!, false)).toMatchObject({ ok: true });
    const sameA = await generatedIds(a!, 'defaults');
    const sameB = await generatedIds(b!, 'defaults');
    expect(sameA.filter((id) => sameB.includes(id)).length).toBeGreaterThan(0);

    await setGlobal(a!, 2, 1);
    await setGlobal(b!, 2, 2);
    expect(await verdict(a!, b!, true)).toMatchObject({ ok: true, detail: expect.stringContaining('their ids never meet') as string });
    const oddA = await generatedIds(a!, 'split');
    const evenB = await generatedIds(b!, 'split');
    expect(oddA.filter((id) => evenB.includes(id))).toEqual([]);

    // Increments 2 and 4 meet (offsets 1 and 3 both give 5, 9, ...).
    await setGlobal(b!, 4, 3);
    const refused = await verdict(a!, b!, true);
    expect(refused).toMatchObject({ ok: false, instruction: expect.stringContaining('SET GLOBAL auto_increment_increment = 2, auto_increment_offset = 2') as string });
    const meetA = await generatedIds(a!, 'meet');
    const meetB = await generatedIds(b!, 'meet');
    expect(meetA.filter((id) => meetB.includes(id)).length).toBeGreaterThan(0);
  });
});
