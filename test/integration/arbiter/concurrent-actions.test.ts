import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../shared/cluster/event-log.ts';
import { testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/**
 * Issue #6, done when: ROLLBACK and RESTART issued at once from two managers are serialised
 * by the channel lock, and nothing is lost. A real node runs the pipeline under a workload.
 */
describe('arbiter: concurrent actions', () => {
  it('serialises a ROLLBACK and a RESTART sent at once to two managers, and loses no row', async () => {
    const cluster = await testCluster({ nodes: ['n1'] });
    const { pair, managers } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const running = await cluster.runningOn();

    const workload = runMixedWorkload(pair.source.connection, pair.schema, { transactions: 300, seed: 71 });
    type Outcome = { action: string; rollbackId: string; cleared: string[]; event: EventRecord };
    const [rollback, restart] = await Promise.all([
      managers[0]!.api.post<Outcome>('/api/v1/channels/orders/rollback', { reason: 'test: rollback' }),
      managers[1]!.api.post<Outcome>('/api/v1/channels/orders/restart', { reason: 'test: restart' }),
    ]);
    expect([rollback.status, restart.status]).toEqual([200, 200]);
    expect(rollback.body.rollbackId).not.toBe(restart.body.rollbackId);
    // Each action saw the node clear its own rollback: neither ran inside the other.
    expect(rollback.body.cleared).toEqual([running.node]);
    expect(restart.body.cleared).toEqual([running.node]);

    const events = (await cluster.api.get<EventRecord[]>('/api/v1/events?channel=orders')).body;
    const ids = (type: string) => events.filter((e) => e.type === type).map((e) => Number(e.id));
    expect(ids('ROLLBACK')).toHaveLength(1);
    expect(ids('RESTART')).toHaveLength(1);
    const restartLast = ids('RESTART')[0]! > ids('ROLLBACK')[0]!;
    const channel = (await cluster.api.get<{ status: string }>('/api/v1/channels/orders')).body;
    // The permit is what the later action left: RESTART ends started, ROLLBACK ends paused.
    expect(channel.status).toBe(restartLast ? 'START' : 'PAUSE');
    if (!restartLast) expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);

    await workload;
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
  });
});
