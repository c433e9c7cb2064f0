import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it } from 'vitest';
import { encode } from '../../../shared/cluster/config-store.ts';
import type { DataSourceSpecT } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { testDatabase, testSchema, type TestDatabase } from '../../support/mariadb.ts';
import { ITEMS_TABLE } from '../../support/workload.ts';
import { channelEvents, writePermit } from '../node-cluster/arbiter-helpers.ts';
import { clusterFixture } from '../node-cluster/cluster-fixture.ts';

/** Checkpoints of a pipeline on a server (none when Ferry never wrote there). */
async function checkpointsOn(db: TestDatabase, pipeline: string): Promise<number> {
  const [rows] = await db.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [pipeline]).catch(() => [[{ n: 0 }] as RowDataPacket[]]);
  return Number(rows[0]?.n ?? 0);
}

describe('a pipeline whose source and target are one server is refused', () => {
  it('bin/ferry run: 127.0.0.1 as the source and localhost as the target', async () => {
    const db = await testDatabase('db1');
    const schema = await testSchema(db, 'self');
    const { app, replication } = inject('services').users;
    const port = db.instance.port;
    const ferry = startFerry([
      'run', '--name', schema, '--tables', `${schema}.*`,
      '--source', `mysql://${replication.user}:${replication.password}@127.0.0.1:${port}`,
      '--target', `mysql://${app.user}:${app.password}@localhost:${port}`,
    ]);
    await expect.poll(() => ferry.child.exitCode, { timeout: 120_000, interval: 200 }).not.toBeNull();
    expect(ferry.child.exitCode).not.toBe(0);
    expect(ferry.output()).toContain('FERRY_ERR_SOURCE_IS_TARGET');
    expect(await checkpointsOn(db, schema)).toBe(0);
  });

  it('a cluster node: two data sources naming one server', async () => {
    const cluster = await clusterFixture();
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    const { app } = inject('services').users;
    // 'dst' now names the source server, by another host name.
    const target: DataSourceSpecT = { groupKey: 'dst', dc: 'dc1', master: { host: 'localhost', port: pair.source.instance.port }, active: 'master', ...app };
    await cluster.store.edit(() => [{ op: 'set', path: zkPaths.dataSource('dst'), data: encode(target) }]);
    await writePermit(cluster, 'START');
    await cluster.assign('n1', 1);
    cluster.startNode('n1');
    await expect
      .poll(async () => (await channelEvents(cluster)).some((event) => event.type === 'WARNING' && event.reason.includes('FERRY_ERR_SOURCE_IS_TARGET')), { timeout: 120_000, interval: 250 })
      .toBe(true);
    expect(await checkpointsOn(pair.source, cluster.pipeline)).toBe(0);
  });
});
