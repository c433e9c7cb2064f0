import { describe, expect, it } from 'vitest';
import { SESSION_MS, testCluster } from '../../support/cluster.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/**
 * Issue #6, done when: kill -9 of the node running a pipeline, with another node available,
 * resumes the pipeline there within session timeout + protection period + 5 s, tables
 * identical; a clean shutdown of a node moves its work within 5 s. Real managers, nodes,
 * ZooKeeper and MariaDB.
 */
const PROTECTION_MS = 2_000;

describe('arbiter: a node dies or leaves', () => {
  it('moves the pipeline off a kill -9 node after the protection period, and off a cleanly stopped node at once', async () => {
    const cluster = await testCluster({ managerArgs: ['--protection-period', `${PROTECTION_MS}ms`], nodes: ['n1', 'n2'] });
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    // As `curl -H 'Content-Type: application/json' -X POST` sends it: a JSON content type, no body.
    expect((await cluster.api.call('POST', '/api/v1/channels/orders/start', '', { 'content-type': 'application/json' })).status).toBe(200);
    const first = await cluster.runningOn();

    const workload = runMixedWorkload(pair.source.connection, pair.schema, { transactions: 300, seed: 61 });
    await cluster.nodes.get(first.node!)!.kill('SIGKILL');
    const killedAt = Date.now();
    const limitMs = SESSION_MS + PROTECTION_MS + 5_000;
    const moved = await cluster.runningOn({ not: first.node! }, limitMs + 10_000);
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`kill -9 of ${first.node}: running on ${moved.node} (epoch ${first.epoch} -> ${moved.epoch}) after ${seconds.toFixed(2)} s; budget ${limitMs / 1000} s`);
    expect(moved.epoch!).toBeGreaterThan(first.epoch!);
    await workload;
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');

    // The dead node comes back; then the running one stops cleanly: its work moves at once.
    await cluster.startNode(first.node!);
    const more = runMixedWorkload(pair.source.connection, pair.schema, { transactions: 200, seed: 62 });
    const stoppedAt = Date.now();
    const exited = cluster.nodes.get(moved.node!)!.kill('SIGTERM');
    const back = await cluster.runningOn({ node: first.node! }, 20_000);
    const cleanSeconds = (Date.now() - stoppedAt) / 1000;
    console.log(`SIGTERM of ${moved.node}: running on ${back.node} (epoch ${back.epoch}) after ${cleanSeconds.toFixed(2)} s`);
    expect(await exited).toBe(0);
    // It moved as a leaving node's work, with no protection period (not after its session expired).
    const downs = await cluster.api.get<{ node?: string; details?: { protectionPeriodMs?: number } }[]>('/api/v1/events?type=NODE_DOWN');
    expect(downs.body.some((event) => event.node === moved.node && event.details?.protectionPeriodMs === 0)).toBe(true);
    await more;
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
  });
});
