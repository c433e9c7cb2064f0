import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { zkConnectString, type MariaDbInstance, type ServicesState } from '../../services/index.ts';
import type { ChannelView } from '../../manager/index.ts';
import { addKeyToFile } from '../../shared/secrets/index.ts';
import { ApiClient } from './api-client.ts';
import { startClusterProcess, type ClusterProcess } from './cluster-processes.ts';
import { DEMO_SCHEMA } from './demo-schema.ts';
import { writeZkAuthFile } from '../zk-auth-file.ts';

export interface DemoCluster {
  api: ApiClient;
  adminToken: string;
  managers: ClusterProcess[];
  node: ClusterProcess;
  channelView(): Promise<ChannelView>;
  stop(): Promise<void>;
}

/**
 * Two managers and one node as real `bin/ferry` processes on the demo's ZooKeeper, then
 * the source and target as data sources and one started channel, all through the REST API:
 * what a DBA platform would script.
 */
export async function startDemoCluster(state: ServicesState, stateDir: string): Promise<DemoCluster> {
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const zk = zkConnectString(state);
  const adminToken = randomBytes(18).toString('base64url');
  // Passwords sealed at rest, as in production: the demo's own key file (0600), made for this run.
  const secretKeyFile = join(stateDir, 'secret.key');
  if (!existsSync(secretKeyFile)) addKeyToFile(secretKeyFile);
  // ZooKeeper closed as in production: the managers' identity and the nodes' own, in files
  // (passwords never on a command line); the node never sees the managers' password.
  const managerAuth = writeZkAuthFile(stateDir, 'manager');
  const nodeAuth = writeZkAuthFile(stateDir, 'node');
  const processes: ClusterProcess[] = [];
  const stop = async () => {
    // The node first, so that it reports its last position while a manager still listens.
    for (const p of processes.reverse()) await p.stop();
  };
  try {
    const managers = ['manager-1', 'manager-2'].map((id) => startClusterProcess(id, ['manager', '--zk', zk, '--port', '0', '--id', id, '--zk-auth-file', managerAuth, '--zk-node-auth-file', nodeAuth], logDir, { FERRY_ADMIN_TOKEN: adminToken, FERRY_SECRET_KEY_FILE: secretKeyFile }));
    processes.push(...managers);
    const urls = await Promise.all(managers.map(async (m) => (await m.waitForLine(/listening on (\S+)/))[1]!));
    const api = new ApiClient(urls[0]!, adminToken);
    const { token: nodeToken } = await api.call<{ token: string }>('POST', '/tokens', { name: 'node-1', role: 'node', node: 'node-1' });
    const node = startClusterProcess('node-1', ['node', '--zk', zk, '--id', 'node-1', '--dc', 'dc1', '--cache-dir', join(stateDir, 'node-1'), '--zk-node-auth-file', nodeAuth], logDir, { FERRY_NODE_TOKEN: nodeToken, FERRY_SECRET_KEY_FILE: secretKeyFile });
    processes.push(node);
    await node.waitForLine(/registered/);

    const [sourceDb, targetDb] = state.mariadb as [MariaDbInstance, MariaDbInstance];
    await api.call('POST', '/datasources', { groupKey: 'shop-source', dc: 'dc1', master: { host: sourceDb.host, port: sourceDb.port }, ...state.users.replication });
    await api.call('POST', '/datasources', { groupKey: 'shop-target', dc: 'dc1', master: { host: targetDb.host, port: targetDb.port }, ...state.users.app });
    await api.call('POST', '/channels', { name: 'shop', pipelines: [{ name: 'shop-forward', source: 'shop-source', target: 'shop-target', tables: [`${DEMO_SCHEMA}.*`] }] });
    await api.call('POST', '/channels/shop/start');
    return { api, adminToken, managers, node, channelView: () => api.call<ChannelView>('GET', '/channels/shop'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
