import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { scratchTestDatabase } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/**
 * Issue #15, re-copy when the binlog is purged: a pipeline stopped while the source wrote,
 * deleted and updated rows and then purged that binlog past the checkpoint, restarted with
 * --on-purged-binlog resync, copies every table again online, deletes the target rows the
 * source no longer has, and streams on: identical tables. The source is a server of the
 * test's own (purging the shared one would strand other tests' pipelines).
 */

const ACCOUNTS = 'CREATE TABLE accounts (id INT PRIMARY KEY, email VARCHAR(60) NOT NULL, UNIQUE KEY (email))';

async function binaryLogs(pair: ReplicationPair): Promise<string[]> {
  const [rows] = await pair.source.connection.query<RowDataPacket[]>('SHOW BINARY LOGS');
  return rows.map((row) => String(row.Log_name));
}

/** Purges every binlog but a new one; the server keeps a file a dump thread still reads, so it is asked until it lets go. */
async function purgeBinlogs(pair: ReplicationPair): Promise<void> {
  await pair.source.connection.query('FLUSH BINARY LOGS');
  const newest = (await binaryLogs(pair)).at(-1)!;
  await expect.poll(async () => {
    await pair.source.connection.query(`PURGE BINARY LOGS TO '${newest}'`);
    return binaryLogs(pair);
  }, { timeout: 120_000 }).toEqual([newest]);
}

async function copyState(pair: ReplicationPair): Promise<string | null | undefined> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT copy_state FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1', [pair.schema]);
  return rows[0] === undefined ? undefined : (rows[0].copy_state as string | null);
}

async function expectIdentical(pair: ReplicationPair): Promise<void> {
  for (const table of ['items', 'accounts']) await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, table);
}

describe('bin/ferry run --on-purged-binlog', () => {
  it('resync: re-copies online after the binlog at the checkpoint was purged, rows the source lost disappear: identical', async () => {
    const pair = await replicationPair({ source: await scratchTestDatabase() });
    const s = pair.schema;
    await pair.onBoth(`${ITEMS_TABLE}; ${ACCOUNTS}`);
    const first = startFerry(pair.runArgs());
    await expect.poll(() => copyState(pair), { timeout: 120_000 }).not.toBeUndefined();
    await runMixedWorkload(pair.source.connection, s, { transactions: 200, seed: 21, keySpace: 3000 });
    await pair.source.connection.query(`INSERT INTO \`${s}\`.accounts VALUES ?`, [Array.from({ length: 500 }, (_, i) => [i, `a${i}@example.com`])]);
    await expectIdentical(pair);
    expect(await first.kill('SIGTERM')).toBe(0);

    // While the pipeline is stopped: rows deleted, changed (emails swapped through a free
    // value), added; then their binlog purged, so no stream can bring them.
    await pair.source.connection.query(`DELETE FROM \`${s}\`.items WHERE id % 5 = 0`);
    await pair.source.connection.query(`DELETE FROM \`${s}\`.accounts WHERE id >= 450`);
    await pair.source.connection.query(`UPDATE \`${s}\`.accounts SET email = 'swap' WHERE id = 1; UPDATE \`${s}\`.accounts SET email = 'a1@example.com' WHERE id = 2; UPDATE \`${s}\`.accounts SET email = 'a2@example.com' WHERE id = 1`);
    await runMixedWorkload(pair.source.connection, s, { transactions: 100, seed: 22, keySpace: 3000 });
    await purgeBinlogs(pair);

    // The default still stops, with the code that says why.
    const stopping = startFerry(pair.runArgs());
    expect(await stopping.exited).toBe(1);
    expect(stopping.output()).toContain('FERRY_ERR_BINLOG_PURGED');

    // Resync, with the source taking writes meanwhile.
    const resync = startFerry(pair.runArgs(['--on-purged-binlog', 'resync', '--batch-rows', '100']));
    const writes = runMixedWorkload(pair.source.connection, s, { transactions: 200, seed: 23, keySpace: 3000 });
    await writes;
    // Identical only if the copy ran: the rows deleted and changed while stopped are in no binlog.
    await expectIdentical(pair);
    await expect.poll(() => copyState(pair), { timeout: 300_000 }).toBeNull();
    expect(resync.child.exitCode).toBeNull();
  });
});
