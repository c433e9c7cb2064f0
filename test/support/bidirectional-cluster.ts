import { expect, inject } from 'vitest';
import type { ChannelView } from '../../manager/index.ts';
import { eventually } from '../integration/manager/manager-support.ts';
import { testCluster, type TestCluster } from './cluster.ts';
import type { ReplicationPair, TestDatabase } from './mariadb.ts';
import { scratchMariaDbs } from './scratch-mariadb.ts';

/**
 * A cluster (testCluster) whose channel 'orders' is bidirectional between two MariaDB masters
 * of the test's own ('src', the primary, and 'dst'), over schema `schema` on both: pipelines
 * `<schema>` (src -> dst) and `<schema>-back`. The masters' auto_increment settings are set
 * apart, as the auto_increment precheck asks. Not started.
 */
export async function bidirectionalCluster(schema: string, bidirectional: Record<string, unknown> = { primary: 'src', conflicts: 'primary-wins' }): Promise<TestCluster & { back: string }> {
  const dbs: TestDatabase[] = [];
  const servers = await scratchMariaDbs(2);
  for (const server of servers) {
    const admin = await server.connect();
    await admin.query(`SET GLOBAL auto_increment_increment = 2, auto_increment_offset = ${dbs.length + 1}`);
    await admin.query(`CREATE DATABASE \`${schema}\``);
    // Opened after SET GLOBAL: this session generates ids as the applications' will.
    dbs.push({ instance: server.instance, connection: await server.connect(), url: server.url, replicationUrl: server.replicationUrl });
  }
  const [source, target] = dbs as [TestDatabase, TestDatabase];
  const pair: ReplicationPair = {
    source, target, schema,
    runArgs: () => [],
    onBoth: async (sql) => {
      for (const db of dbs) await db.connection.query(`USE \`${schema}\`; ${sql}`);
    },
  };
  // Each data source is read by one pipeline and written by the other: one user for both.
  const { app } = inject('services').users;
  const cluster = await testCluster({ managers: 1, pair, credentials: { source: app, target: app } });
  const back = `${schema}-back`;
  const replaced = await cluster.api.put<ChannelView>('/api/v1/channels/orders', {
    name: 'orders',
    description: `${schema}, active-active between eu and us`,
    pipelines: [
      { name: schema, source: 'src', target: 'dst', tables: [`${schema}.*`], batch: { maxRows: 50 } },
      { name: back, source: 'dst', target: 'src', tables: [`${schema}.*`], batch: { maxRows: 50 } },
    ],
    bidirectional,
  }, { 'if-match': '0' });
  expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
  return { ...cluster, back };
}

/** Waits until both pipelines run, and returns the view. */
export function bothRunning(cluster: TestCluster, timeoutMs = 240_000): Promise<ChannelView> {
  return eventually(async () => {
    const view = (await cluster.api.get<ChannelView>('/api/v1/channels/orders')).body;
    return view.pipelines.every((p) => p.state === 'running') ? view : undefined;
  }, timeoutMs, 'both pipelines to run');
}
