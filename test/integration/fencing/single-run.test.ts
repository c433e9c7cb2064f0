import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
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
});
