import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import type { PipelineView } from '../../../manager/index.ts';
import { CACHE_FILE } from '../../../node/cluster/cluster-cache.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { addKeyToFile, readKeyring } from '../../../shared/secrets/index.ts';
import { runFerry } from '../../support/cli.ts';
import { testCluster } from '../../support/cluster.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { testSecretKeyFile } from '../../support/secret-key.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { zkClient } from '../../support/zookeeper.ts';
import { zkAuthEnv } from '../../support/zk-identities.ts';
import { eventually } from '../manager/manager-support.ts';
import { dumpZooKeeper, filesContaining } from './file-search.ts';
import { secretUsers } from './secret-users.ts';

/**
 * Secrets at rest with real managers, nodes, ZooKeeper and MariaDB: data source passwords
 * sealed in ZooKeeper and in the node cache, opened only in a node's memory; rotation under a
 * running cluster; a node holding the wrong key reports it and recovers once given the key.
 */
const WAIT_MS = 240_000;

function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The key ids the envelopes in `text` name, in order. */
const envelopeKeyIds = (text: string) => [...text.matchAll(/ferry-secret:v1:([0-9a-f]{16}):/g)].map((m) => m[1]!);

describe('secrets at rest in a cluster', () => {
  it('replicates with a sealed password that no file, log, output or znode Ferry wrote holds in clear', async () => {
    const pair = await replicationPair();
    const users = await secretUsers(pair);
    const cluster = await testCluster({ pair, credentials: users, managers: 1, nodes: [] });
    const cacheDir = scratchDir('ferry-secrets-cache-');
    const node = await cluster.startNode('n1', ['--cache-dir', cacheDir]);
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn({ node: 'n1' }, WAIT_MS);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 120, seed: 71 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);

    // The API: views, lists and error bodies never carry it.
    const bodies: string[] = [];
    const keep = async (call: Promise<{ status: number; body: unknown }>, status: number) => {
      const response = await call;
      expect(response.status).toBe(status);
      bodies.push(JSON.stringify(response.body));
    };
    const master = { host: pair.source.instance.host, port: pair.source.instance.port };
    await keep(cluster.api.get('/api/v1/datasources'), 200);
    await keep(cluster.api.get('/api/v1/datasources/src'), 200);
    await keep(cluster.api.get('/api/v1/channels/orders'), 200);
    await keep(cluster.api.post('/api/v1/datasources', { groupKey: 'src', dc: 'dc1', master, ...users.source }), 409);
    await keep(cluster.api.post('/api/v1/datasources', { groupKey: 'bad key', dc: 'dc1', master, ...users.source, colour: users.password }), 400);
    await keep(cluster.api.put('/api/v1/datasources/src', { dc: 'dc1', master: { host: '', port: 0 }, ...users.source }), 400);
    await keep(cluster.api.post('/api/v1/datasources', { groupKey: 'long', dc: 'dc1', master, user: 'u', password: `${users.password}${'x'.repeat(300)}` }), 400);
    expect(bodies.join('\n')).toContain('"hasPassword":true');
    expect(bodies.join('\n')).not.toContain(users.password);

    // The node wrote its cache from this configuration (its data sources name these users): wait for that state, then stop it cleanly.
    const cachePath = join(cacheDir, CACHE_FILE);
    await eventually(() => (readFileSafe(cachePath).includes(users.target.user) ? true : undefined), WAIT_MS, 'the node cache to hold the data sources');
    expect(await node.kill('SIGTERM')).toBe(0);
    const manager = cluster.managers[0]!.process;
    expect(await manager.kill('SIGTERM')).toBe(0);

    // Everything Ferry wrote, in one place to search: the outputs (logs on stderr, stdout), a
    // dump of the whole ZooKeeper tree, and a control file that holds the password in clear.
    const evidence = scratchDir('ferry-secrets-evidence-');
    const dump = await dumpZooKeeper(cluster.zk);
    writeFileSync(join(evidence, 'zookeeper-dump.txt'), dump);
    writeFileSync(join(evidence, 'node-n1.log'), node.output());
    writeFileSync(join(evidence, 'manager-m1.log'), manager.output());
    const control = join(evidence, 'control-clear.txt');
    writeFileSync(control, `the password, deliberately in clear: ${users.password}\n`);
    const repoState = resolve(import.meta.dirname, '..', '..', '..', '.ferry');
    const { found, searched } = await filesContaining([evidence, cacheDir, repoState, inject('services').stateDir], users.password);
    console.log(`searched ${searched} files for the password; found it in: ${found.join(', ')}`);
    expect(found).toEqual([control]);
    // What they hold instead: the envelopes, each data source's twice in ZooKeeper (its spec,
    // and the same envelope in the configuration-history entry of its creation).
    expect(envelopeKeyIds(dump)).toHaveLength(4);
    expect(envelopeKeyIds(readFileSafe(cachePath))).toHaveLength(2);
  }, WAIT_MS * 3);

  it('rotates the key while the cluster replicates: rotate, drop the old key, restart the node, rows still arrive', async () => {
    const keyFile = join(scratchDir('ferry-rotation-key-'), 'secret.key');
    const oldId = addKeyToFile(keyFile);
    const keyArgs = ['--secret-key-file', keyFile];
    const cluster = await testCluster({ managers: 1, managerArgs: keyArgs, nodes: [] });
    const cacheDir = scratchDir('ferry-rotation-cache-');
    const nodeArgs = [...keyArgs, '--cache-dir', cacheDir];
    await cluster.startNode('n1', nodeArgs);
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const before = await cluster.runningOn({ node: 'n1' }, WAIT_MS);

    const admin = await zkClient(cluster.zk);
    const sealedBy = async () => envelopeKeyIds((await Promise.all(['src', 'dst'].map(async (g) => (await admin.getData(zkPaths.dataSource(g))).data.toString('utf8')))).join('\n'));
    expect(await sealedBy()).toEqual([oldId, oldId]);

    // A key file that cannot open what is stored: rotate refuses, naming the data source, and writes nothing.
    const strangerFile = join(scratchDir('ferry-rotation-stranger-'), 'secret.key');
    addKeyToFile(strangerFile);
    const refused = await runFerry(['secrets', 'rotate', '--zk', cluster.zk, '--secret-key-file', strangerFile], { env: zkAuthEnv('secrets') });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/FERRY_ERR_SECRET_UNKNOWN_KEY: the password of data source '(src|dst)' is sealed with key/);
    expect(await sealedBy()).toEqual([oldId, oldId]);

    // 1. A new key first in the file: managers and nodes read the file again when it changes.
    const load = runMixedWorkload(pair.source.connection, pair.schema, { transactions: 200, seed: 81 });
    const newId = addKeyToFile(keyFile);
    expect(readKeyring(keyFile).ids).toEqual([newId, oldId]);
    // 2. Rotate while rows flow.
    const rotated = await runFerry(['secrets', 'rotate', '--zk', cluster.zk, '--secret-key-file', keyFile], { env: zkAuthEnv('secrets') });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(`sealed 2 data source password(s) again under key ${newId}`);
    expect(await sealedBy()).toEqual([newId, newId]);
    await load;
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    // The node took the new configuration into its cache; the pipeline kept running (same epoch).
    await eventually(() => {
      const ids = envelopeKeyIds(readFileSafe(join(cacheDir, CACHE_FILE)));
      return ids.length === 2 && ids.every((id) => id === newId) ? true : undefined;
    }, WAIT_MS, 'the node cache to hold envelopes of the new key only');
    expect((await cluster.pipelineView()).epoch).toBe(before.epoch);

    // 3. The old key leaves the file; the node restarts with the new key alone and still replicates.
    const newLine = readFileSync(keyFile, 'utf8').split('\n').find((line) => line !== '' && !line.startsWith('#'))!;
    writeFileSync(keyFile, `${newLine}\n`, { mode: 0o600 });
    expect(readKeyring(keyFile).ids).toEqual([newId]);
    expect(await cluster.nodes.get('n1')!.kill('SIGTERM')).toBe(0);
    const node = await cluster.startNode('n1', nodeArgs);
    // The old process has exited: whatever arrives from now on, the restarted node applied.
    await cluster.runningOn({ node: 'n1' }, WAIT_MS);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 150, seed: 82 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    expect((await cluster.pipelineView()).error).toBeUndefined();
    expect(node.child.exitCode).toBeNull();
  }, WAIT_MS * 4);

  it('a node without the key reports FERRY_ERR_SECRET_UNKNOWN_KEY for the pipeline, keeps running, and replicates once the key is in its file', async () => {
    const nodeKeyFile = join(scratchDir('ferry-wrong-key-'), 'secret.key');
    addKeyToFile(nodeKeyFile);
    const cluster = await testCluster({ managers: 1, nodes: [] });
    const node = await cluster.startNode('n1', ['--secret-key-file', nodeKeyFile, '--arbiter-backoff-ms', '200', '--max-restarts', '1000']);
    const { pair } = cluster;
    await pair.onBoth(ITEMS_TABLE);
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    const failed = await eventually(async () => {
      const view: PipelineView = await cluster.pipelineView();
      return view.error?.code === 'FERRY_ERR_SECRET_UNKNOWN_KEY' ? view : undefined;
    }, WAIT_MS, 'the pipeline to report the missing key');
    expect(failed.error!.message).toMatch(/the password of data source '(src|dst)' is sealed with key [0-9a-f]{16}, which the key file .* does not hold/);
    expect(node.child.exitCode).toBeNull();

    // The cluster's key joins the node's file (read again when it changes): the next restart opens it.
    writeFileSync(nodeKeyFile, `${readFileSync(nodeKeyFile, 'utf8')}${readFileSync(testSecretKeyFile(), 'utf8')}`, { mode: 0o600 });
    await cluster.runningOn({ node: 'n1' }, WAIT_MS);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 83 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
  }, WAIT_MS * 3);
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
