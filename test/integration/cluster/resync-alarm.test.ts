import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it } from 'vitest';
import type { AlarmRecord } from '../../../manager/alarms/index.ts';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import { testCluster, type TestCluster } from '../../support/cluster.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { scratchTestDatabase } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * Issue #15, resync in a cluster: a channel stopped while its source wrote and then purged that
 * binlog, started again with `onPurgedBinlog: resync`, re-copies its tables; the leader raises
 * the `resync` alarm (a warning) while the copy runs and clears it when the copy is over, both
 * in the event log, and the tables end identical. The source is a server of the test's own
 * (purging the shared one would strand other tests' pipelines).
 */

const WAIT_MS = 300_000;
const ROWS = 5_000;

async function binaryLogs(cluster: TestCluster): Promise<string[]> {
  const [rows] = await cluster.pair.source.connection.query<RowDataPacket[]>('SHOW BINARY LOGS');
  return rows.map((row) => String(row.Log_name));
}

/** Purges every binlog but a new one; the server keeps a file a dump thread still reads, so it is asked until the stopped pipeline let go. */
async function purgeBinlogs(cluster: TestCluster): Promise<void> {
  await cluster.pair.source.connection.query('FLUSH BINARY LOGS');
  const newest = (await binaryLogs(cluster)).at(-1)!;
  await eventually(async () => {
    await cluster.pair.source.connection.query(`PURGE BINARY LOGS TO '${newest}'`);
    const left = await binaryLogs(cluster);
    return left.length === 1 && left[0] === newest ? true : undefined;
  }, WAIT_MS, 'the binlog purged');
}

const alarmEvent = (cluster: TestCluster, type: 'ALARM_RAISED' | 'ALARM_CLEARED') => eventually(async () => {
  const events = (await cluster.api.get<EventRecord[]>(`/api/v1/events?channel=orders&type=${type}`)).body;
  return events.find((event) => (event.details as { alarm?: string } | undefined)?.alarm === `resync:${cluster.pipeline}`);
}, WAIT_MS, `${type} of the resync alarm`);

describe('resync in a cluster (onPurgedBinlog: resync in the channel\'s pipeline)', () => {
  it('re-copies after the binlog at the checkpoint was purged, with a resync alarm raised and cleared in the event log: identical tables', async () => {
    const source = await scratchTestDatabase();
    const replication = new URL(source.replicationUrl);
    const cluster = await testCluster({
      managers: 1, nodes: ['n1'], batchRows: 50, pair: await replicationPair({ source }),
      credentials: { source: { user: decodeURIComponent(replication.username), password: decodeURIComponent(replication.password) }, target: inject('services').users.app },
      pipelineFields: { onPurgedBinlog: 'resync' },
    });
    const { pair } = cluster;
    const s = pair.schema;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn();
    const rows = Array.from({ length: ROWS }, (_, i) => [i, `item-${i}`, i % 100, null, '2026-12-07 10:00:00']);
    await pair.source.connection.query(`INSERT INTO \`${s}\`.items VALUES ?`, [rows]);
    await expectTablesConverge(pair.source.connection, pair.target.connection, s, 'items', s, WAIT_MS);
    expect((await cluster.api.post('/api/v1/channels/orders/stop')).status).toBe(200);

    // While stopped: rows deleted and changed, their binlog then purged: only a copy brings them.
    await pair.source.connection.query(`DELETE FROM \`${s}\`.items WHERE id % 7 = 0`);
    await runMixedWorkload(pair.source.connection, s, { transactions: 100, seed: 1511, keySpace: ROWS + 500 });
    await purgeBinlogs(cluster);

    // Every row the copy writes on the target waits 10 ms: the copy lasts long enough to be seen.
    await pair.target.connection.query(`CREATE TRIGGER \`${s}\`.slow_copy BEFORE INSERT ON \`${s}\`.items FOR EACH ROW SET @ferry_test_wait = SLEEP(0.01)`);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const raised = await alarmEvent(cluster, 'ALARM_RAISED');
    expect(raised.pipeline).toBe(cluster.pipeline);
    expect(raised.details).toMatchObject({ rule: 'resync', severity: 'warning' });
    const alarms = (await cluster.api.get<AlarmRecord[]>('/api/v1/alarms')).body;
    const alarm = alarms.find((a) => a.id === `resync:${cluster.pipeline}`);
    // Asked right after the event: the copy, slowed, is still running unless the machine stalled.
    if (alarm !== undefined) expect(alarm.message).toMatch(/purged the binlog at the pipeline's checkpoint.*re-copying its tables/);
    const view = await cluster.pipelineView();
    if (view.copy !== null) expect(view.copy.mode).toBe('resync');

    await pair.target.connection.query(`DROP TRIGGER \`${s}\`.slow_copy`);
    const cleared = await alarmEvent(cluster, 'ALARM_CLEARED');
    expect(Number(cleared.id)).toBeGreaterThan(Number(raised.id));
    expect((await cluster.api.get<AlarmRecord[]>('/api/v1/alarms')).body.map((a) => a.id)).not.toContain(`resync:${cluster.pipeline}`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, s, 'items', s, WAIT_MS);
  });
});
