import { mkdtemp, rm } from 'node:fs/promises';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, onTestFinished } from 'vitest';
import { ConfigStore, encode } from '../../../shared/cluster/config-store.ts';
import type { AssignmentRecord, ChannelSpecT, DataSourceSpecT, NodeRecord, PermitRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { readRecord } from '../../../shared/cluster/zk-records.ts';
import type { ZkClient } from '../../../shared/zk/zk-client.ts';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { MIN_WAIT_MS, patient } from '../../support/waits.ts';
import { replicationPair, type ReplicationPair, type TestDatabase } from '../../support/mariadb.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';

/**
 * A test that plays the leader manager: it writes the configuration (two data sources and a
 * channel whose one pipeline replicates the pair's schema), the permit and the assignment
 * straight into ZooKeeper, and starts real `bin/ferry node` processes against them.
 */
export interface ClusterFixture {
  pair: ReplicationPair;
  /** Connect string with the test's chroot. */
  zk: string;
  admin: ZkClient;
  store: ConfigStore;
  channel: string;
  /** The pipeline's name: the pair's schema, so the pair's clean-up removes its checkpoints. */
  pipeline: string;
  cacheDir: string;
  setPermit(status: PermitRecord['status']): Promise<void>;
  assign(node: string, epoch: number): Promise<void>;
  unassign(): Promise<void>;
  assignment(): Promise<AssignmentRecord | undefined>;
  nodeRecord(id: string): Promise<NodeRecord | undefined>;
  startNode(id: string, extra?: string[], zk?: string): FerryProcess;
}

function dataSource(groupKey: string, db: TestDatabase, credentials: { user: string; password: string }): DataSourceSpecT {
  return { groupKey, dc: 'dc1', master: { host: db.instance.host, port: db.instance.port }, active: 'master', ...credentials };
}

export async function clusterFixture(): Promise<ClusterFixture> {
  const pair = await replicationPair();
  const zk = await zkChroot();
  const admin = await zkClient(zk);
  const store = await ConfigStore.open(admin);
  const cacheDir = await mkdtemp(join(tmpdir(), 'ferry-node-'));
  onTestFinished(() => rm(cacheDir, { recursive: true, force: true }));
  const { users } = inject('services');
  const channel = `ch-${pair.schema}`;
  const pipeline = pair.schema;
  const spec: ChannelSpecT = { name: channel, pipelines: [{ name: pipeline, source: 'src', target: 'dst', tables: [`${pair.schema}.*`], batch: { maxRows: 50 } }] };
  const stopped: PermitRecord = { status: 'STOP', by: 'test', at: new Date().toISOString() };
  await store.edit(() => [
    { op: 'create', path: zkPaths.dataSource('src'), data: encode(dataSource('src', pair.source, users.replication)) },
    { op: 'create', path: zkPaths.dataSource('dst'), data: encode(dataSource('dst', pair.target, users.app)) },
    { op: 'create', path: zkPaths.channel(channel), data: encode(spec) },
    { op: 'create', path: zkPaths.permit(channel), data: encode(stopped) },
  ]);
  const readJson = async <T>(path: string): Promise<T | undefined> => (await readRecord<T>(admin, path))?.value;
  return {
    pair, zk, admin, store, channel, pipeline, cacheDir,
    setPermit: async (status) => {
      await admin.setData(zkPaths.permit(channel), encode({ status, by: 'test', at: new Date().toISOString() }));
    },
    assign: async (node, epoch) => {
      const record: AssignmentRecord = { pipeline, channel, node, epoch, state: 'pending', at: new Date().toISOString() };
      if ((await admin.exists(zkPaths.assignment(pipeline))) === null) await admin.create(zkPaths.assignment(pipeline), encode(record));
      else await admin.setData(zkPaths.assignment(pipeline), encode(record));
    },
    unassign: () => admin.remove(zkPaths.assignment(pipeline)),
    assignment: () => readJson<AssignmentRecord>(zkPaths.assignment(pipeline)),
    nodeRecord: (id) => readJson<NodeRecord>(zkPaths.node(id)),
    startNode: (id, extra = [], zkConnect = zk) => startFerry(['node', '--zk', zkConnect, '--id', id, '--dc', 'dc1', '--cache-dir', cacheDir, '--token', 'node-token', '--session-timeout-ms', '4000', ...extra]),
  };
}

/** Resolves once the process printed `text` (polled, with a deadline). */
export async function waitForOutput(process: FerryProcess, text: string, timeout = MIN_WAIT_MS): Promise<void> {
  await expect.poll(() => process.output(), { timeout: patient(timeout), interval: 100 }).toContain(text);
}

/** How many times `text` occurs in the process output so far. */
export function occurrences(process: FerryProcess, text: string): number {
  return process.output().split(text).length - 1;
}

/** Row count of a table. */
export async function rowCount(db: TestDatabase, schema: string, table: string): Promise<number> {
  const [rows] = await db.connection.query(`SELECT COUNT(*) AS n FROM \`${schema}\`.\`${table}\``);
  return Number((rows as Array<{ n: number }>)[0]!.n);
}

export { staysTrue, unusedPort } from '../../support/waits.ts';

/** A batch of the pair's pipeline held in flight on a target row lock (see holdBatch). */
export interface HeldBatch {
  /** Ids of the target sessions whose INSERT into items has waited longer than `minMs`. */
  stuck(minMs?: number): Promise<number[]>;
  /** Rolls back the test's lock: the held statement may then run. */
  release(): Promise<void>;
}

/**
 * Holds a batch in flight: once row 7001 of `items` is on the target, the test locks it
 * there, then updates it on the source, so the pipeline's next batch waits on the lock with
 * its transaction open. Callers wait for `stuck()` to list the waiting statement.
 */
export async function holdBatch(pair: ReplicationPair): Promise<HeldBatch> {
  const { app } = inject('services').users;
  const blocker = await mysql.createConnection({ host: pair.target.instance.host, port: pair.target.instance.port, user: app.user, password: app.password, multipleStatements: true });
  onTestFinished(() => blocker.end());
  const items = `\`${pair.schema}\`.items`;
  await expect.poll(async () => Number((await blocker.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${items} WHERE id = 7001`))[0][0]!.n), { timeout: 120_000 }).toBe(1);
  await blocker.query(`BEGIN; SELECT * FROM ${items} WHERE id = 7001 FOR UPDATE`);
  await pair.source.connection.query(`UPDATE ${items} SET qty = 2 WHERE id = 7001`);
  return {
    stuck: async (minMs = 0) => {
      // A replayed batch (docs/replay.md) waits in a BINLOG statement, whose text names no
      // table: Ferry names the pipeline (the pair's schema) in a comment before it.
      const [rows] = await pair.target.connection.query<RowDataPacket[]>(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE (INFO LIKE ? OR INFO LIKE ?) AND TIME_MS > ?',
        [`INSERT INTO \`${pair.schema}\`.\`items\`%`, `/* ferry replay ${pair.schema} */ BINLOG %`, minMs],
      );
      return rows.map((row) => Number(row.ID));
    },
    release: async () => {
      await blocker.query('ROLLBACK');
    },
  };
}
