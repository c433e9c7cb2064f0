import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import { testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

describe('assignment epochs never fall below the target fence', () => {
  it('a new ZooKeeper chroot over the same target: the pipeline is placed above the fence and replication resumes', async () => {
    const first = await testCluster({ managers: 1, nodes: ['n1'] });
    const { pair } = first;
    await pair.onBoth(ITEMS_TABLE);
    expect((await first.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const placed = await first.runningOn();
    // A RESTART places it again under a higher epoch: the fence is then above the first epoch
    // a fresh ZooKeeper hands out.
    expect((await first.api.post('/api/v1/channels/orders/restart', { reason: 'raise the epoch' })).status).toBe(200);
    await expect.poll(async () => (await first.pipelineView()).epoch ?? 0, { timeout: 120_000, interval: 250 }).toBeGreaterThan(placed.epoch!);
    const restarted = await first.runningOn();
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 41 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, 120_000);

    // ZooKeeper "rebuilt": every process gone, a new chroot, the same configuration again.
    await first.nodes.get('n1')!.kill('SIGKILL');
    for (const manager of first.managers) await manager.process.kill('SIGKILL');
    const [fence] = await pair.target.connection.query<RowDataPacket[]>('SELECT epoch FROM _ferry.fences WHERE pipeline = ?', [pair.schema]);
    expect(Number(fence[0]!.epoch)).toBe(restarted.epoch);

    const second = await testCluster({ managers: 1, nodes: ['n1'], pair });
    expect((await second.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 42 });
    // Its first epoch is below the fence: the node raises the floor, the pipeline is placed above it.
    const resumed = await second.runningOn({}, 240_000);
    expect(resumed.epoch!).toBeGreaterThan(restarted.epoch!);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, 120_000);
    const events = (await second.api.get<EventRecord[]>('/api/v1/events?channel=orders')).body;
    expect(events.some((event) => event.type === 'RESTART' && event.reason.includes('epoch floor raised'))).toBe(true);
  }, 600_000);
});
