import { describe, expect, it, onTestFinished } from 'vitest';
import type { ChannelView } from '../../../manager/index.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';
import { testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { eventually } from '../manager/manager-support.ts';

/**
 * Conflicts found by a real node's Load reach the API: a one-way pipeline with detectConflicts
 * (the same detection a bidirectional pipeline runs) meets a target row changed behind its
 * back; its stats carry the conflict, GET /channels/{name}/conflicts lists it, and after a
 * RESTART the new attempt reads what the target's conflicts table holds.
 */

interface Conflicts { total: number; pipelines: { pipeline: string; total: number | null }[]; conflicts: ConflictRecord[] }

describe('cluster: conflicts in stats and the API', () => {
  it('lists a conflict a node found, and after a restart counts what the target recorded', async () => {
    const cluster = await testCluster({ managers: 1, pipelineFields: { detectConflicts: true } });
    const { pair, api } = cluster;
    onTestFinished(async () => {
      await pair.target.connection.query('DELETE FROM _ferry.conflicts WHERE pipeline = ?', [pair.schema]).catch(() => undefined);
    });
    await pair.onBoth('CREATE TABLE items (id INT PRIMARY KEY, note VARCHAR(100) NOT NULL)');
    const table = `\`${pair.schema}\`.items`;
    expect((await api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn({}, 120_000);

    await pair.source.connection.query(`INSERT INTO ${table} VALUES (1, 'first'), (2, 'untouched')`);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    // Behind Ferry's back, then the source's change whose before image no longer matches.
    await pair.target.connection.query(`UPDATE ${table} SET note = 'changed on the target' WHERE id = 1`);
    await pair.source.connection.query(`UPDATE ${table} SET note = 'second' WHERE id = 1`);

    const listed = await eventually(async () => {
      const body = (await api.get<Conflicts>('/api/v1/channels/orders/conflicts')).body;
      return body.total >= 1 ? body : undefined;
    }, 120_000, 'the conflict to be reported');
    expect(listed.total).toBe(1);
    expect(listed.conflicts).toEqual([expect.objectContaining({
      pipeline: pair.schema, table: `${pair.schema}.items`, key: { id: 1 }, kind: 'mismatch',
      incoming: { id: 1, note: 'second' }, current: { id: 1, note: 'changed on the target' }, policy: 'source-wins', decision: 'applied',
    })]);
    // source-wins: the target holds the source's version again.
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    // A conflict the table holds that this node never saw (as one recorded by an earlier owner):
    // the next attempt reads it at its claim.
    await pair.target.connection.query(
      "INSERT INTO _ferry.conflicts (pipeline, table_name, row_key, kind, incoming, current, policy, decision, position) VALUES (?, ?, '{\"id\":9}', 'missing', NULL, NULL, 'source-wins', 'applied', '0-1-1')",
      [pair.schema, `${pair.schema}.items`],
    );
    const before = (await cluster.pipelineView()).epoch!;
    expect((await api.post('/api/v1/channels/orders/restart', { reason: 'test: read the conflicts again' })).status).toBe(200);
    const after = await eventually(async () => {
      const view = (await api.get<ChannelView>('/api/v1/channels/orders')).body.pipelines[0]!;
      return view.epoch !== null && view.epoch > before && view.reportedBy?.epoch === view.epoch && view.conflicts === 2 ? view : undefined;
    }, 120_000, 'the restarted pipeline to report both conflicts');
    expect(after.conflicts).toBe(2);
    const again = (await api.get<Conflicts>('/api/v1/channels/orders/conflicts')).body;
    expect(again.conflicts.map((c) => c.key)).toEqual([{ id: 9 }, { id: 1 }]);
  });
});
