import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { scratchMariaDbs, type ScratchMariaDb } from '../../support/scratch-mariadb.ts';
import { dumpTable } from '../../support/tables.ts';
import { masters, type Master } from './loops-support.ts';

type Policy = 'primary-wins' | 'newer-wins' | 'stop';

const SCHEMA = 'shop';

/** One direction of the channel as `bin/ferry run` of a pipeline file: A is the primary. */
function direction(name: string, mirror: string, from: ScratchMariaDb, to: ScratchMariaDb, primary: boolean, policy: Policy): FerryProcess {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-policy-'));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name, source: from.replicationUrl, target: to.url, tables: [`${SCHEMA}.*`],
    bidirectional: { mirror, primary, conflicts: policy, ...(policy === 'newer-wins' ? { timestampColumn: 'ts' } : {}) },
  }));
  return startFerry(['run', '--config', file, '--progress-seconds', '1']);
}

interface Channel {
  a: Connection;
  b: Connection;
  start(): { ab: FerryProcess; ba: FerryProcess };
}

/** Two masters holding the same rows, and a way to start both directions between them. */
async function channel(policy: Policy): Promise<Channel> {
  const [masterA, masterB] = await scratchMariaDbs(2);
  // auto_increment set apart before the sessions open, as the auto_increment precheck asks.
  const [{ connection: a }, { connection: b }] = (await masters([masterA!, masterB!])) as [Master, Master];
  for (const master of [a, b]) {
    await master.query(`CREATE DATABASE ${SCHEMA}`);
    await master.query(`CREATE TABLE ${SCHEMA}.items (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL, ts DATETIME(6) NOT NULL)`);
    await master.query(`INSERT INTO ${SCHEMA}.items VALUES (1, 'base', '2026-01-01'), (2, 'base', '2026-01-01'), (3, 'base', '2026-01-01'), (5, 'base', '2026-01-01')`);
    // No timestampColumn here: newer-wins settles its conflicts by the primary.
    await master.query(`CREATE TABLE ${SCHEMA}.users (id INT PRIMARY KEY, email VARCHAR(40) NOT NULL UNIQUE)`);
    await master.query(`INSERT INTO ${SCHEMA}.users VALUES (1, 'one@example.com')`);
  }
  return {
    a, b,
    start: () => ({ ab: direction('ab', 'ba', masterA!, masterB!, true, policy), ba: direction('ba', 'ab', masterB!, masterA!, false, policy) }),
  };
}

/**
 * Both directions started once (their checkpoints pin where they resume) and stopped, then
 * the same rows changed on both masters while nothing replicates: every change below meets
 * the other master's change when the directions start again.
 */
async function conflictingWrites(ch: Channel): Promise<void> {
  const first = ch.start();
  await expect.poll(() => first.ab.output() + first.ba.output(), { timeout: 120_000 }).toMatch(/pipeline starting[\s\S]*pipeline starting/);
  await expect.poll(async () => (await checkpoints(ch.a)) + (await checkpoints(ch.b)), { timeout: 120_000 }).toBe(2);
  await Promise.all([first.ab.kill('SIGTERM'), first.ba.kill('SIGTERM')]);
  // Row 1: A wrote later; row 2: B wrote later; row 3: A deletes what B updates; row 4: both
  // insert; row 5: only A; one email inserted on both under different ids. One transaction per master, so each direction reads one batch.
  await ch.a.query(`BEGIN; UPDATE ${SCHEMA}.items SET v = 'A', ts = '2026-02-01 00:00:00.000002' WHERE id = 1;
    UPDATE ${SCHEMA}.items SET v = 'A', ts = '2026-02-02' WHERE id = 2; DELETE FROM ${SCHEMA}.items WHERE id = 3;
    INSERT INTO ${SCHEMA}.items VALUES (4, 'A', '2026-02-05'); UPDATE ${SCHEMA}.items SET v = 'A' WHERE id = 5;
    UPDATE ${SCHEMA}.users SET email = 'a@example.com' WHERE id = 1; INSERT INTO ${SCHEMA}.users VALUES (10, 'same@example.com'); COMMIT`);
  await ch.b.query(`BEGIN; UPDATE ${SCHEMA}.items SET v = 'B', ts = '2026-02-01 00:00:00.000001' WHERE id = 1;
    UPDATE ${SCHEMA}.items SET v = 'B', ts = '2026-02-03' WHERE id = 2; UPDATE ${SCHEMA}.items SET v = 'B', ts = '2026-02-04' WHERE id = 3;
    INSERT INTO ${SCHEMA}.items VALUES (4, 'B', '2026-02-05'); UPDATE ${SCHEMA}.users SET email = 'b@example.com' WHERE id = 1;
    INSERT INTO ${SCHEMA}.users VALUES (20, 'same@example.com'); COMMIT`);
}

async function checkpoints(connection: Connection): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_ferry' AND TABLE_NAME = 'conflicts'");
  if (Number(rows[0]?.n) === 0) return 0;
  const [checkpointRows] = await connection.query<RowDataPacket[]>('SELECT COUNT(DISTINCT pipeline) AS n FROM _ferry.checkpoints');
  return Number(checkpointRows[0]?.n);
}

async function items(connection: Connection): Promise<Array<[number, string]>> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT id, v FROM ${SCHEMA}.items ORDER BY id`);
  return rows.map((row) => [Number(row.id), String(row.v)]);
}

async function conflicts(connection: Connection, table = 'items'): Promise<Array<[unknown, string, string, string]>> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT pipeline, row_key, kind, decision FROM _ferry.conflicts WHERE table_name = ? ORDER BY id', [`${SCHEMA}.${table}`]);
  return rows.map((row) => [JSON.parse(String(row.row_key)), String(row.pipeline), String(row.kind), String(row.decision)]);
}

/** Both masters hold the same rows, byte for byte, and each recorded `count` conflicts. */
async function converged(ch: Channel, count: number): Promise<void> {
  await expect.poll(async () => (await conflicts(ch.a)).length === count && (await conflicts(ch.b)).length === count
    && (await conflicts(ch.a, 'users')).length === 2 && (await conflicts(ch.b, 'users')).length === 2
    && JSON.stringify(await dumpTable(ch.a, SCHEMA, 'items')) === JSON.stringify(await dumpTable(ch.b, SCHEMA, 'items'))
    && JSON.stringify(await dumpTable(ch.a, SCHEMA, 'users')) === JSON.stringify(await dumpTable(ch.b, SCHEMA, 'users')), { timeout: 240_000, interval: 250 }).toBe(true);
}

/**
 * users, a table without the timestamp column: the primary's versions on both masters, of the
 * row both updated and of the email both inserted under different ids.
 */
async function expectPrimaryUsers(ch: Channel): Promise<void> {
  for (const master of [ch.a, ch.b]) {
    const [rows] = await master.query<RowDataPacket[]>(`SELECT id, email FROM ${SCHEMA}.users ORDER BY id`);
    expect(rows).toEqual([{ id: 1, email: 'a@example.com' }, { id: 10, email: 'same@example.com' }]);
  }
  expect(await conflicts(ch.b, 'users')).toEqual([[{ id: 1 }, 'ab', 'mismatch', 'applied'], [{ id: 10 }, 'ab', 'unique-key', 'applied']]);
  expect(await conflicts(ch.a, 'users')).toEqual([[{ id: 1 }, 'ba', 'mismatch', 'skipped'], [{ id: 20 }, 'ba', 'unique-key', 'skipped']]);
}

describe('bidirectional channel: each policy on both sides', () => {
  it("primary-wins: the primary's version survives on both masters", async () => {
    const ch = await channel('primary-wins');
    await conflictingWrites(ch);
    const { ab, ba } = ch.start();
    await converged(ch, 4);
    await expectPrimaryUsers(ch);
    expect(await items(ch.a)).toEqual([[1, 'A'], [2, 'A'], [4, 'A'], [5, 'A']]);
    expect(await items(ch.b)).toEqual(await items(ch.a));
    // On B the primary's direction wrote its version; on A the other direction kept A's.
    expect(await conflicts(ch.b)).toEqual([[{ id: 1 }, 'ab', 'mismatch', 'applied'], [{ id: 2 }, 'ab', 'mismatch', 'applied'], [{ id: 3 }, 'ab', 'mismatch', 'applied'], [{ id: 4 }, 'ab', 'exists', 'applied']]);
    expect(await conflicts(ch.a)).toEqual([[{ id: 1 }, 'ba', 'mismatch', 'skipped'], [{ id: 2 }, 'ba', 'mismatch', 'skipped'], [{ id: 3 }, 'ba', 'missing', 'skipped'], [{ id: 4 }, 'ba', 'exists', 'skipped']]);
    expect([ab.child.exitCode, ba.child.exitCode]).toEqual([null, null]);
  });

  it('newer-wins: the later timestampColumn survives, a delete and a tie go to the primary', async () => {
    const ch = await channel('newer-wins');
    await conflictingWrites(ch);
    const { ab, ba } = ch.start();
    await converged(ch, 4);
    await expectPrimaryUsers(ch);
    // Row 1: A later; row 2: B later; row 3: A's delete (no timestamp: the primary); row 4: a tie, the primary.
    expect(await items(ch.a)).toEqual([[1, 'A'], [2, 'B'], [4, 'A'], [5, 'A']]);
    expect(await items(ch.b)).toEqual(await items(ch.a));
    expect(await conflicts(ch.b)).toEqual([[{ id: 1 }, 'ab', 'mismatch', 'applied'], [{ id: 2 }, 'ab', 'mismatch', 'skipped'], [{ id: 3 }, 'ab', 'mismatch', 'applied'], [{ id: 4 }, 'ab', 'exists', 'applied']]);
    expect(await conflicts(ch.a)).toEqual([[{ id: 1 }, 'ba', 'mismatch', 'skipped'], [{ id: 2 }, 'ba', 'mismatch', 'applied'], [{ id: 3 }, 'ba', 'missing', 'skipped'], [{ id: 4 }, 'ba', 'exists', 'skipped']]);
    expect([ab.child.exitCode, ba.child.exitCode]).toEqual([null, null]);
  });

  it('stop: both directions record the conflicts and stop with FERRY_ERR_CONFLICT, nothing of the batch applied', async () => {
    const ch = await channel('stop');
    await conflictingWrites(ch);
    const aBefore = await items(ch.a);
    const bBefore = await items(ch.b);
    const { ab, ba } = ch.start();
    expect(await ab.exited).toBe(1);
    expect(await ba.exited).toBe(1);
    expect(ab.output()).toContain('FERRY_ERR_CONFLICT: pipeline ab stopped on 6 conflict(s)');
    expect(ba.output()).toContain('FERRY_ERR_CONFLICT: pipeline ba stopped on 6 conflict(s)');
    expect((await conflicts(ch.b, 'users')).map(([key, , kind, decision]) => [key, kind, decision])).toEqual([[{ id: 1 }, 'mismatch', 'stopped'], [{ id: 10 }, 'unique-key', 'stopped']]);
    expect((await conflicts(ch.a, 'users')).map(([key, , kind, decision]) => [key, kind, decision])).toEqual([[{ id: 1 }, 'mismatch', 'stopped'], [{ id: 20 }, 'unique-key', 'stopped']]);
    expect((await conflicts(ch.b)).map(([key, , kind, decision]) => [key, kind, decision])).toEqual([[{ id: 1 }, 'mismatch', 'stopped'], [{ id: 2 }, 'mismatch', 'stopped'], [{ id: 3 }, 'mismatch', 'stopped'], [{ id: 4 }, 'exists', 'stopped']]);
    expect((await conflicts(ch.a)).map(([key, , kind, decision]) => [key, kind, decision])).toEqual([[{ id: 1 }, 'mismatch', 'stopped'], [{ id: 2 }, 'mismatch', 'stopped'], [{ id: 3 }, 'missing', 'stopped'], [{ id: 4 }, 'exists', 'stopped']]);
    // Row 5 shared A's batch: nothing of it committed.
    expect(await items(ch.a)).toEqual(aBefore);
    expect(await items(ch.b)).toEqual(bBefore);
  });
});
