import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ChannelView, PipelineView } from '../../../manager/index.ts';
import { startManagerProcess } from '../../support/cluster.ts';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { scratchMariaDbs, type ScratchMariaDb } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { unusedPort } from '../../support/waits.ts';
import { zkChroot } from '../../support/zookeeper.ts';
import { eventually } from '../manager/manager-support.ts';
import { SESSION_MS } from '../../support/cluster.ts';

/**
 * Issue #16, done when: two MariaDB masters in two datacenters (east, west), a bidirectional
 * channel of two pipelines (east -> west, west -> east; east is the primary, primary-wins),
 * two nodes per datacenter, each pipeline split across the datacenters (Select in its
 * source's, Load in its target's). Both masters take writes at once: each on a table of its
 * own, both on one shared table (ids kept apart by auto_increment offsets, as the precheck
 * demands), and both on the same few hot rows. Under that load a node running east -> west's
 * load side is killed (-9), then one running west -> east's. After the load stops: every table
 * identical on both masters, both binlogs stop growing (nothing bounces), and the conflicts the
 * API lists are on the hot rows, and only there. All real: `bin/ferry manager` and four
 * `bin/ferry node` processes, ZooKeeper, MariaDB.
 */

const SCHEMA = 'aa';
const HOT_ROWS = 12;
const TABLES = ['east_only', 'west_only', 'shared', 'hot'];

const DDL = [
  `CREATE DATABASE ${SCHEMA}`,
  `CREATE TABLE ${SCHEMA}.east_only (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NOT NULL)`,
  `CREATE TABLE ${SCHEMA}.west_only (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NOT NULL)`,
  `CREATE TABLE ${SCHEMA}.shared (id INT AUTO_INCREMENT PRIMARY KEY, origin VARCHAR(8) NOT NULL, v INT NOT NULL, UNIQUE KEY (origin, v))`,
  `CREATE TABLE ${SCHEMA}.hot (id INT PRIMARY KEY, v INT NOT NULL, who VARCHAR(8) NOT NULL, updated_at DATETIME(6) NOT NULL)`,
  `INSERT INTO ${SCHEMA}.hot VALUES ${Array.from({ length: HOT_ROWS }, (_, i) => `(${i + 1}, 0, 'seed', '2026-12-07 00:00:00')`).join(',')}`,
];

interface Master {
  name: 'east' | 'west';
  server: ScratchMariaDb;
  connection: Connection;
}

/** Writes on one master until stopped: its own table, the shared one, and a hot row, per transaction. */
function writer(master: Master, seed: number): { count: () => number; stop: () => Promise<void> } {
  let stopping = false;
  let count = 0;
  let state = seed;
  const random = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
  const running = (async () => {
    const c = master.connection;
    while (!stopping) {
      await c.query('BEGIN');
      await c.query(`INSERT INTO ${SCHEMA}.${master.name}_only (v, n) VALUES (?, ?)`, [`${master.name}-${count}`, count]);
      if (count % 3 === 0) await c.query(`UPDATE ${SCHEMA}.${master.name}_only SET n = n + 1 WHERE id = (SELECT MAX(id) FROM (SELECT id FROM ${SCHEMA}.${master.name}_only) AS t)`);
      await c.query(`INSERT INTO ${SCHEMA}.shared (origin, v) VALUES (?, ?)`, [master.name, count]);
      await c.query(`UPDATE ${SCHEMA}.hot SET v = v + 1, who = ?, updated_at = NOW(6) WHERE id = ?`, [master.name, 1 + random(HOT_ROWS)]);
      await c.query('COMMIT');
      count++;
    }
  })();
  onTestFinished(async () => {
    stopping = true;
    await running.catch(() => undefined);
  });
  return { count: () => count, stop: async () => { stopping = true; await running; } };
}

async function gtidBinlogPos(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
  return String(rows[0]!.pos);
}

async function rowCount(connection: Connection, table: string): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${SCHEMA}.${table}`);
  return Number(rows[0]!.n);
}

describe('bidirectional channel in a cluster', () => {
  it('keeps two masters in two datacenters identical under writes on both, through kill -9 of nodes of either direction, without bouncing, listing the hot rows\' conflicts', async () => {
    const [eastServer, westServer] = await scratchMariaDbs(2);
    const masters: Master[] = [];
    for (const [name, server, offset] of [['east', eastServer!, 1], ['west', westServer!, 2]] as const) {
      const admin = await server.connect();
      await admin.query(`SET GLOBAL auto_increment_increment = 2, GLOBAL auto_increment_offset = ${offset}`);
      for (const statement of DDL) await admin.query(statement);
      // Sessions opened from here on take the offsets.
      masters.push({ name, server, connection: await server.connect() });
    }
    const [east, west] = masters as [Master, Master];

    const zk = await zkChroot();
    const manager = await startManagerProcess(zk, 'm1', ['--protection-period', '2s']);
    const api = manager.api;
    const cacheRoot = await mkdtemp(join(tmpdir(), 'ferry-aa-'));
    onTestFinished(() => rm(cacheRoot, { recursive: true, force: true }));
    const nodes = new Map<string, FerryProcess>();
    const startNode = async (id: string, dc: string): Promise<void> => {
      const created = await api.post<{ token: string }>('/api/v1/tokens', { name: `node-${id}`, role: 'node', node: id });
      expect(created.status).toBe(201);
      const node = startFerry(['node', '--zk', zk, '--id', id, '--dc', dc, '--cache-dir', join(cacheRoot, id), '--session-timeout-ms', String(SESSION_MS), '--stats-seconds', '1', '--pipe-listen', `127.0.0.1:${await unusedPort()}`], { FERRY_NODE_TOKEN: created.body.token });
      nodes.set(id, node);
      await eventually(() => (node.output().includes(`node ${id} registered`) ? true : undefined), 60_000, `node ${id} to register`);
    };
    for (const id of ['e1', 'e2']) await startNode(id, 'dc-east');
    for (const id of ['w1', 'w2']) await startNode(id, 'dc-west');

    for (const master of masters) {
      const { host, port } = master.server.instance;
      // The app user: each master is a source (binlog) and a target (writes).
      const { username, password } = new URL(master.server.url);
      const created = await api.post('/api/v1/datasources', { groupKey: master.name, dc: `dc-${master.name}`, master: { host, port }, user: decodeURIComponent(username), password: decodeURIComponent(password) });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const pipeline = (name: string, source: string, target: string) => ({ name, source, target, tables: [`${SCHEMA}.*`], batch: { maxRows: 50 } });
    const channel = { name: 'aa', pipelines: [pipeline('aa-e2w', 'east', 'west'), pipeline('aa-w2e', 'west', 'east')], bidirectional: { primary: 'east', conflicts: 'primary-wins' } };
    const createdChannel = await api.post('/api/v1/channels', channel);
    expect(createdChannel.status, JSON.stringify(createdChannel.body)).toBe(201);
    expect((await api.post('/api/v1/channels/aa/start')).status).toBe(200);

    const view = async (name: string): Promise<PipelineView> => (await api.get<ChannelView>('/api/v1/channels/aa')).body.pipelines.find((p) => p.name === name)!;
    /** Waits until `name` runs split: select in its source's datacenter, load in its target's, on a node other than `notLoad`. */
    const runningSplit = (name: string, loadDc: string, notLoad?: string) => eventually(async () => {
      const v = await view(name);
      const stages = v.stages;
      if (v.state !== 'running' || stages === null || stages.load.dc !== loadDc || stages.select.dc === loadDc || stages.load.node === notLoad) return undefined;
      return stages;
    }, 180_000, `${name} to run split with its load side in ${loadDc}${notLoad === undefined ? '' : ` off ${notLoad}`}`);
    await runningSplit('aa-e2w', 'dc-west');
    await runningSplit('aa-w2e', 'dc-east');

    const writers = [writer(east, 11), writer(west, 29)];
    const arrived = (master: Master, table: string, rows: number) => eventually(async () => ((await rowCount(master.connection, table)) >= rows ? true : undefined), 300_000, `${rows} rows of ${table} on ${master.name}`);

    // kill -9 the node applying east's changes in the west, under load; the other west node takes over.
    await arrived(west, 'east_only', 150);
    const e2wLoad = (await runningSplit('aa-e2w', 'dc-west')).load.node;
    await nodes.get(e2wLoad)!.kill('SIGKILL');
    await runningSplit('aa-e2w', 'dc-west', e2wLoad);
    await arrived(west, 'east_only', (await rowCount(east.connection, 'east_only')) + 100);

    // Then the node applying west's changes in the east.
    const w2eLoad = (await runningSplit('aa-w2e', 'dc-east')).load.node;
    await nodes.get(w2eLoad)!.kill('SIGKILL');
    await runningSplit('aa-w2e', 'dc-east', w2eLoad);
    await arrived(east, 'west_only', (await rowCount(west.connection, 'west_only')) + 100);

    for (const w of writers) await w.stop();
    expect(writers.every((w) => w.count() > 200)).toBe(true);

    for (const table of TABLES) await expectTablesConverge(east.connection, west.connection, SCHEMA, table, SCHEMA, 300_000);
    // Nothing bounces: once caught up, neither binlog grows (sampled a few seconds apart, until two agree).
    await eventually(async () => {
      const before = [await gtidBinlogPos(east.connection), await gtidBinlogPos(west.connection)];
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const after = [await gtidBinlogPos(east.connection), await gtidBinlogPos(west.connection)];
      return before.join() === after.join() ? true : undefined;
    }, 180_000, 'both binlogs to stop growing');
    for (const table of TABLES) await expectTablesConverge(east.connection, west.connection, SCHEMA, table, SCHEMA, 60_000);

    // Conflicts: both sides updated the same hot rows, and every conflict listed is one of them.
    const listed = await eventually(async () => {
      const response = await api.get<{ conflicts: Array<{ pipeline: string; table: string; decision: string }> }>('/api/v1/channels/aa/conflicts?limit=40');
      expect(response.status).toBe(200);
      return response.body.conflicts.length > 0 ? response.body.conflicts : undefined;
    }, 120_000, 'the channel to list conflicts');
    expect(new Set(listed.map((c) => c.table))).toEqual(new Set([`${SCHEMA}.hot`]));
    // primary-wins: the primary's direction writes its version, the other keeps the primary's.
    for (const conflict of listed) expect(conflict.decision).toBe(conflict.pipeline === 'aa-e2w' ? 'applied' : 'skipped');
  });
});
