import mysql from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { testCluster } from '../../support/cluster.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { parseSamples, sampleValue } from '../../support/prometheus-text.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { unusedPort } from '../../support/waits.ts';
import { ADMIN_TOKEN, eventually } from '../manager/manager-support.ts';

/**
 * The scrape test: a node's and a manager's /metrics during replication, each series
 * moving as it should. Every wait is on a scraped value, with a deadline of minutes.
 */

const ITEMS = 'CREATE TABLE items (id INT PRIMARY KEY, v INT NOT NULL)';

async function scrape(url: string, token?: string): Promise<string> {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  return response.text();
}

/** A connection of its own on the target, to lock what the pipeline writes. */
async function locker(pair: ReplicationPair): Promise<mysql.Connection> {
  const { app } = inject('services').users;
  const connection = await mysql.createConnection({ host: pair.target.instance.host, port: pair.target.instance.port, user: app.user, password: app.password });
  onTestFinished(() => connection.end().catch(() => undefined));
  return connection;
}

/** Writes `inserts` new rows from `from`, then updates the first `updates` and deletes the last `deletes` of them. */
async function writeRows(pair: ReplicationPair, from: number, inserts: number, updates: number, deletes: number): Promise<void> {
  const table = `\`${pair.schema}\`.items`;
  const values = Array.from({ length: inserts }, (_, i) => `(${from + i}, 0)`).join(',');
  await pair.source.connection.query(`INSERT INTO ${table} VALUES ${values}`);
  await pair.source.connection.query(`UPDATE ${table} SET v = v + 1 WHERE id >= ? AND id < ?`, [from, from + updates]);
  await pair.source.connection.query(`DELETE FROM ${table} WHERE id >= ? AND id < ?`, [from + inserts - deletes, from + inserts]);
}

const rowsOf = (text: string, pipeline: string, op: string): number => sampleValue(text, 'ferry_pipeline_rows_applied_total', { pipeline, op }) ?? 0;

describe('Prometheus metrics', () => {
  it('a node and the leader manager export series that move with replication, lag, errors and node loss', async () => {
    const cluster = await testCluster({ managers: 1, nodes: [] });
    const { pair, pipeline } = cluster;
    const nodePort = await unusedPort();
    await cluster.startNode('n1', ['--metrics-port', String(nodePort)]);
    const nodeUrl = `http://127.0.0.1:${nodePort}/metrics`;
    const managerUrl = `${cluster.managers[0]!.url}/metrics`;
    await pair.onBoth(ITEMS);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn({ node: 'n1' });

    // The manager's endpoint wants a token (no --metrics-public); the node's none.
    expect((await fetch(managerUrl)).status).toBe(401);
    await eventually(async () => (sampleValue(await scrape(managerUrl, ADMIN_TOKEN), 'ferry_node_up', { node: 'n1' }) === 1 ? true : undefined), 120_000, 'ferry_node_up 1 for n1');
    const managerText = await scrape(managerUrl, ADMIN_TOKEN);
    expect(sampleValue(managerText, 'ferry_zk_session_state', { state: 'connected' })).toBe(1);
    // Managers export cluster-level series only: no pipeline's rows, so sums never count twice.
    expect(parseSamples(managerText).some((s) => s.name.startsWith('ferry_pipeline_'))).toBe(false);

    // Rows applied grow by exactly what was written, by op; batches grow too.
    let text = await eventually(async () => {
      const scraped = await scrape(nodeUrl);
      return sampleValue(scraped, 'ferry_pipeline_state', { pipeline, side: 'whole', state: 'running' }) === 1 ? scraped : undefined;
    }, 120_000, 'the node to export the pipeline running');
    const before = { insert: rowsOf(text, pipeline, 'insert'), update: rowsOf(text, pipeline, 'update'), delete: rowsOf(text, pipeline, 'delete') };
    const batchesBefore = sampleValue(text, 'ferry_pipeline_batches_total', { pipeline }) ?? 0;
    await writeRows(pair, 1, 40, 15, 5);
    text = await eventually(async () => {
      const scraped = await scrape(nodeUrl);
      return rowsOf(scraped, pipeline, 'insert') - before.insert >= 40 && rowsOf(scraped, pipeline, 'update') - before.update >= 15 && rowsOf(scraped, pipeline, 'delete') - before.delete >= 5 ? scraped : undefined;
    }, 120_000, 'the written rows to be counted');
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    text = await scrape(nodeUrl);
    expect(rowsOf(text, pipeline, 'insert') - before.insert).toBe(40);
    expect(rowsOf(text, pipeline, 'update') - before.update).toBe(15);
    expect(rowsOf(text, pipeline, 'delete') - before.delete).toBe(5);
    expect(sampleValue(text, 'ferry_pipeline_batches_total', { pipeline })).toBeGreaterThan(batchesBefore);
    expect(sampleValue(text, 'ferry_pipeline_batch_seconds_count', { pipeline })).toBeGreaterThan(0);
    for (const state of ['starting', 'retrying', 'stopped', 'failed']) expect(sampleValue(text, 'ferry_pipeline_state', { pipeline, side: 'whole', state })).toBe(0);
    expect(sampleValue(text, 'ferry_pipeline_queue_rows', { pipeline })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'ferry_zk_session_state', { state: 'connected' })).toBe(1);
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // The target table locked: nothing applies and the lag rises; unlocked, it falls.
    const lagOf = async () => sampleValue(await scrape(nodeUrl), 'ferry_pipeline_lag_seconds', { pipeline }) ?? 0;
    const tableLock = await locker(pair);
    await tableLock.query(`LOCK TABLES \`${pair.schema}\`.items WRITE`);
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (1000, 0)`);
    const risen = await eventually(async () => {
      const lag = await lagOf();
      return lag >= 5 ? lag : undefined;
    }, 120_000, 'the lag to pass 5 s while the target is locked');
    await eventually(async () => ((await lagOf()) >= risen + 3 ? true : undefined), 120_000, 'the lag to keep rising');
    await tableLock.query('UNLOCK TABLES');
    await eventually(async () => ((await lagOf()) < 5 ? true : undefined), 120_000, 'the lag to fall after the unlock');

    // A row held by another transaction: the batch times out on the lock, an attempt fails
    // with a code, and the node's failure goes to the arbiter (ROLLBACK, RESTART).
    await scrape(managerUrl, ADMIN_TOKEN); // the leader's first look since it leads: the baseline of its arbiter counts
    const actionsOf = (scraped: string) => parseSamples(scraped).filter((s) => s.name === 'ferry_arbiter_actions_total').reduce((sum, s) => sum + s.value, 0);
    const actionsBefore = actionsOf(await scrape(managerUrl, ADMIN_TOKEN));
    const rowLock = await locker(pair);
    await rowLock.query('BEGIN');
    await rowLock.query(`SELECT * FROM \`${pair.schema}\`.items WHERE id = 1 FOR UPDATE`);
    await pair.source.connection.query(`UPDATE \`${pair.schema}\`.items SET v = 7 WHERE id = 1`);
    const failed = await eventually(async () => parseSamples(await scrape(nodeUrl)).find((s) => s.name === 'ferry_pipeline_errors_total' && s.labels.pipeline === pipeline && s.value > 0), 300_000, 'a failed attempt counted with its code');
    expect(failed.labels.code).toMatch(/^FERRY_ERR_/);
    await rowLock.query('COMMIT');
    await eventually(async () => (actionsOf(await scrape(managerUrl, ADMIN_TOKEN)) > actionsBefore ? true : undefined), 300_000, 'the arbiter\'s actions counted by the leader');
    await cluster.runningOn({ node: 'n1' }, 300_000);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, 300_000);

    // A second node: up while registered, 0 once stopped.
    const n2 = await cluster.startNode('n2');
    await eventually(async () => (sampleValue(await scrape(managerUrl, ADMIN_TOKEN), 'ferry_node_up', { node: 'n2' }) === 1 ? true : undefined), 120_000, 'ferry_node_up 1 for n2');
    await n2.kill('SIGTERM');
    await eventually(async () => (sampleValue(await scrape(managerUrl, ADMIN_TOKEN), 'ferry_node_up', { node: 'n2' }) === 0 ? true : undefined), 120_000, 'ferry_node_up 0 for n2 once stopped');
    expect(sampleValue(await scrape(managerUrl, ADMIN_TOKEN), 'ferry_node_up', { node: 'n1' })).toBe(1);
  });

  it('a split pipeline: the load node exports rows, lag and the pipe\'s bytes, the select node its queue; neither the other\'s', async () => {
    const cluster = await testCluster({ managers: 1, nodes: [], dcs: { source: 'dc-a', target: 'dc-b' } });
    const { pair, pipeline } = cluster;
    await pair.onBoth(ITEMS);
    const [selectPort, loadPort, pipePort] = [await unusedPort(), await unusedPort(), await unusedPort()];
    await cluster.startNode('sa1', ['--metrics-port', String(selectPort)], 'dc-a');
    await cluster.startNode('lb1', ['--metrics-port', String(loadPort), '--pipe-listen', `127.0.0.1:${pipePort}`], 'dc-b');
    const selectUrl = `http://127.0.0.1:${selectPort}/metrics`;
    const loadUrl = `http://127.0.0.1:${loadPort}/metrics`;
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const running = (url: string, side: string) => eventually(async () => (sampleValue(await scrape(url), 'ferry_pipeline_state', { pipeline, side, state: 'running' }) === 1 ? true : undefined), 120_000, `the ${side} side running`);
    await running(selectUrl, 'select');
    await running(loadUrl, 'load');
    await writeRows(pair, 1, 30, 10, 3);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    const load = await eventually(async () => {
      const scraped = await scrape(loadUrl);
      return rowsOf(scraped, pipeline, 'delete') >= 3 && (sampleValue(scraped, 'ferry_pipe_bytes_total', { pipeline, encoding: 'wire' }) ?? 0) > 0 ? scraped : undefined;
    }, 120_000, 'the load node to count the rows and the pipe\'s bytes');
    expect([rowsOf(load, pipeline, 'insert'), rowsOf(load, pipeline, 'update'), rowsOf(load, pipeline, 'delete')]).toEqual([30, 10, 3]);
    expect(sampleValue(load, 'ferry_pipe_bytes_total', { pipeline, encoding: 'raw' })).toBeGreaterThan(0);
    expect(sampleValue(load, 'ferry_pipeline_lag_seconds', { pipeline })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(load, 'ferry_pipeline_queue_rows', { pipeline })).toBeUndefined();
    const select = await scrape(selectUrl);
    expect(sampleValue(select, 'ferry_pipeline_queue_rows', { pipeline })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(select, 'ferry_pipeline_lag_seconds', { pipeline })).toBeUndefined();
    expect(parseSamples(select).filter((s) => s.name === 'ferry_pipeline_rows_applied_total' || s.name === 'ferry_pipe_bytes_total')).toEqual([]);
  });

  it('bin/ferry run --metrics-port exports its pipeline\'s series', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS);
    const port = await unusedPort();
    const run = startFerry(pair.runArgs(['--metrics-port', String(port)]));
    const url = `http://127.0.0.1:${port}/metrics`;
    const pipeline = pair.schema;
    await eventually(async () => {
      const text = await scrape(url).catch(() => '');
      return sampleValue(text, 'ferry_pipeline_state', { pipeline, side: 'whole', state: 'running' }) === 1 ? true : undefined;
    }, 120_000, 'the run to export its pipeline running');
    await writeRows(pair, 1, 12, 4, 2);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    const text = await eventually(async () => {
      const scraped = await scrape(url);
      return rowsOf(scraped, pipeline, 'delete') >= 2 ? scraped : undefined;
    }, 120_000, 'the rows counted');
    expect([rowsOf(text, pipeline, 'insert'), rowsOf(text, pipeline, 'update'), rowsOf(text, pipeline, 'delete')]).toEqual([12, 4, 2]);
    expect(sampleValue(text, 'ferry_pipeline_lag_seconds', { pipeline })).toBeGreaterThanOrEqual(0);
    // No ZooKeeper in this process: no session series.
    expect(sampleValue(text, 'ferry_zk_session_state', { state: 'connected' })).toBeUndefined();
    expect(await run.kill('SIGTERM')).toBe(0);
  });
});
