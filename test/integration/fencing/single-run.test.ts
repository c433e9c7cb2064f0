import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, testDatabase, testSchema, type ReplicationPair } from '../../support/mariadb.ts';
import { scratchMariaDb } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/** The owner recorded in the pipeline's fence, once a process claimed it. */
async function fenceOwner(pair: ReplicationPair): Promise<string | undefined> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT owner FROM _ferry.fences WHERE pipeline = ?', [pair.schema]).catch(() => [[] as RowDataPacket[]]);
  return rows[0] ? String(rows[0].owner) : undefined;
}

const alive = (process: FerryProcess) => process.child.exitCode === null && process.child.signalCode === null;

describe('bin/ferry run: one live process per pipeline', () => {
  it('a second run of the same pipeline exits with FERRY_ERR_PIPELINE_RUNNING; the first replicates alone', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const first = startFerry(pair.runArgs());
    await expect.poll(() => fenceOwner(pair), { timeout: 60_000, interval: 200 }).toMatch(/^run@/);
    const owner = await fenceOwner(pair);

    const second = startFerry(pair.runArgs());
    await expect.poll(() => second.child.exitCode, { timeout: 120_000, interval: 200 }).not.toBeNull();
    expect(second.child.exitCode).not.toBe(0);
    expect(second.output()).toContain('FERRY_ERR_PIPELINE_RUNNING');

    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 200, seed: 31 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, 120_000);
    expect(alive(first)).toBe(true);
    expect(await fenceOwner(pair)).toBe(owner);

    // Once the first is gone (kill -9: its lock dies with its connection), a new run starts.
    await first.kill('SIGKILL');
    const third = startFerry(pair.runArgs());
    await expect.poll(async () => (await fenceOwner(pair)) !== owner, { timeout: 120_000, interval: 200 }).toBe(true);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 32 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, 120_000);
    expect(alive(third)).toBe(true);
  });

  it('a run keeps its pipeline across a target restart: it takes the lock again, and a second run is still refused', async () => {
    const scratch = await scratchMariaDb();
    const source = await testDatabase('db1');
    const schema = await testSchema(source, 'l');
    let target = await scratch.connect();
    await source.connection.query(`USE \`${schema}\`; ${ITEMS_TABLE}`);
    await target.query(`CREATE DATABASE \`${schema}\`; USE \`${schema}\`; ${ITEMS_TABLE}`);
    const args = ['run', '--source', source.replicationUrl, '--target', scratch.url, '--tables', `${schema}.*`, '--name', schema, '--progress-seconds', '1'];
    const lockHolders = async () => {
      const [rows] = await target.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [`ferry:_ferry.${schema}`]);
      return (rows[0]?.holder as number | null | undefined) ?? null;
    };
    const first = startFerry(args);
    await expect.poll(lockHolders, { timeout: 60_000, interval: 200 }).not.toBeNull();
    await runMixedWorkload(source.connection, schema, { transactions: 100, seed: 33 });
    await expectTablesConverge(source.connection, target, schema, 'items', schema, 120_000);

    await target.end();
    await scratch.restart();
    target = await scratch.connect();
    await runMixedWorkload(source.connection, schema, { transactions: 100, seed: 34 });
    await expectTablesConverge(source.connection, target, schema, 'items', schema, 120_000);
    await expect.poll(lockHolders, { timeout: 60_000, interval: 200 }).not.toBeNull();

    const second = startFerry(args);
    await expect.poll(() => second.child.exitCode, { timeout: 120_000, interval: 200 }).not.toBeNull();
    expect(second.output()).toContain('FERRY_ERR_PIPELINE_RUNNING');
    expect(alive(first)).toBe(true);
    await target.end();
  });
});
