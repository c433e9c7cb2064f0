import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/**
 * A pipeline that ran before must not start at the binlog end when its checkpoint vanished from
 * the target (a DBA deleted it, a restore from an older dump): the rows written meanwhile would
 * never arrive. The pipeline keeps its own system schema: the shared servers' `_ferry` holds
 * the checkpoints of every other test running beside this one.
 */

const WAIT_MS = 180_000;

async function pipelineFile(pair: ReplicationPair, systemSchema: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-checkpoint-missing-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'pipeline.json');
  await writeFile(file, JSON.stringify({ name: pair.schema, source: pair.source.replicationUrl, target: pair.target.url, tables: [`${pair.schema}.*`], systemSchema }));
  return file;
}

/** The pipeline's newest checkpoint as `--from` takes it (GTID set), or undefined. */
async function checkpointGtid(pair: ReplicationPair, systemSchema: string): Promise<string | undefined> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>(`SELECT gtid_set FROM \`${systemSchema}\`.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1`, [pair.schema]).catch(() => [[] as RowDataPacket[]]);
  return rows[0]?.gtid_set === null || rows[0] === undefined ? undefined : String(rows[0].gtid_set);
}

const deleteCheckpoint = (pair: ReplicationPair, systemSchema: string) => pair.target.connection.query(`DELETE FROM \`${systemSchema}\`.checkpoints WHERE pipeline = ?`, [pair.schema]);

async function stop(ferry: FerryProcess): Promise<void> {
  expect(await ferry.kill('SIGTERM')).toBe(0);
}

/**
 * A system schema of the test's own, dropped at its end: the shared test servers' `_ferry`
 * holds the checkpoints of tests running beside this one and must never be dropped.
 */
function privateSystemSchema(pair: Awaited<ReturnType<typeof replicationPair>>): string {
  const systemSchema = `_ferry_ck_${randomBytes(4).toString('hex')}`;
  onTestFinished(async () => {
    const { app } = inject('services').users;
    const cleaner = await mysql.createConnection({ host: pair.target.instance.host, port: pair.target.instance.port, user: app.user, password: app.password });
    await cleaner.query(`DROP DATABASE IF EXISTS \`${systemSchema}\``);
    await cleaner.end();
  });
  return systemSchema;
}

describe('bin/ferry run: a checkpoint that vanished from the target', () => {
  it('refuses to start at the binlog end (FERRY_ERR_CHECKPOINT_MISSING); --from the last position brings every row, --from end starts there on purpose', async () => {
    const pair = await replicationPair();
    const systemSchema = privateSystemSchema(pair);
    await pair.onBoth(ITEMS_TABLE);
    const config = await pipelineFile(pair, systemSchema);
    const run = (extra: string[] = []) => startFerry(['run', '--config', config, '--progress-seconds', '1', ...extra]);

    const first = run();
    // Claimed: its start (the binlog end) is pinned, so every row written from now on is after it.
    await expect.poll(() => checkpointGtid(pair, systemSchema), { timeout: WAIT_MS, interval: 200 }).toBeDefined();
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 1801 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    await stop(first);
    const applied = await checkpointGtid(pair, systemSchema);
    expect(applied).toBeDefined();

    // Written while the pipeline is stopped; then its checkpoint goes.
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 1802 });
    await deleteCheckpoint(pair, systemSchema);

    // Before the guard, this run claimed a new checkpoint at the binlog end and replicated on
    // without the 100 transactions above.
    const refused = run();
    await expect.poll(() => refused.child.exitCode, { timeout: WAIT_MS, interval: 200 }).not.toBeNull();
    expect(refused.child.exitCode).not.toBe(0);
    expect(refused.output()).toContain('FERRY_ERR_CHECKPOINT_MISSING');
    expect(await checkpointGtid(pair, systemSchema)).toBeUndefined();

    // The DBA restarts it where it had applied up to: the rows written while it was stopped arrive.
    const resumed = run(['--from', applied!]);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 1803 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    await stop(resumed);

    // A start at the end, chosen: it runs, and what it replicates from then on arrives.
    await deleteCheckpoint(pair, systemSchema);
    const atEnd = run(['--from', 'end']);
    await expect.poll(() => checkpointGtid(pair, systemSchema), { timeout: WAIT_MS, interval: 200 }).toBeDefined();
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 1804 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    await stop(atEnd);
  });

  it('a truly new pipeline, with no fence and no checkpoint, starts at the binlog end as before', async () => {
    const pair = await replicationPair();
    const systemSchema = privateSystemSchema(pair);
    await pair.onBoth(ITEMS_TABLE);
    const ferry = startFerry(['run', '--config', await pipelineFile(pair, systemSchema), '--progress-seconds', '1']);
    await expect.poll(() => checkpointGtid(pair, systemSchema), { timeout: WAIT_MS, interval: 200 }).toBeDefined();
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 1805 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    await stop(ferry);
  });
});
