import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFreeBase, servicesUp, zkConnectString, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { addKeyToFile } from '../shared/secrets/index.ts';
import type { Logger } from '../shared/logging.ts';
import { ApiClient } from '../cli/demo/api-client.ts';
import { ChaosProcess } from './processes.ts';
import type { Timeouts } from './kinds.ts';
import { CHAOS_SCHEMA } from './load-schema.ts';
import { writeZkAuthFile } from '../cli/zk-auth-file.ts';
import { standbyCaughtUp, startStandby } from './standby.ts';
import { SOURCE_GROUP, SourceGroup } from './source-group.ts';
import { startBiChannel } from './bidirectional.ts';
import { wanPortOffsets, type ChaosWan } from './wan.ts';
import { SOURCE_DC, TARGET_DC } from './datacenters.ts';

/**
 * Short sessions and protection period so that a fault resolves in seconds; the node-stop
 * fault keeps its node stopped past the session timeout.
 */
export const CHAOS_TIMEOUTS: Timeouts = { sessionS: 4, protectionS: 5, stopS: 7, longStopS: 15, quorumLossS: 10, fullS: 12, wanCutS: 8, wanBlackholeS: 12 };

export { SOURCE_DC, TARGET_DC };

/**
 * Nodes and their datacenters: two in each, so that either side of the split pipeline can
 * move to another node of its datacenter when its node dies.
 */
export const CHAOS_NODES = [
  { id: 'node-1', dc: SOURCE_DC },
  { id: 'node-2', dc: SOURCE_DC },
  { id: 'node-3', dc: TARGET_DC },
  { id: 'node-4', dc: TARGET_DC },
] as const;

export const CHANNEL = 'chaos';
export const PIPELINE = 'chaos-forward';

/** The servers whose schemas the suite creates (the standby replicates the source's). */
export interface PreparedServers {
  source: MariaDbInstance;
  target: MariaDbInstance;
  peer: MariaDbInstance;
}

export interface ChaosCluster {
  services: ServicesState;
  /** The source group's first master; after a source-switch the standby: use sourceGroup.master(). */
  source: MariaDbInstance;
  /** Which server of the source group is master now, and the gate of the load's writers. */
  sourceGroup: SourceGroup;
  target: MariaDbInstance;
  /** The bidirectional channel's other master (chaos/bidirectional.ts), in dc1. */
  peer: MariaDbInstance;
  managers: ChaosProcess[];
  nodes: ChaosProcess[];
  /** ZooKeeper connect string and the nodes' credentials file (to write a node's state as it would). */
  zkConnect: string;
  nodeAuthFile: string;
  /** The WAN every pipe connection crosses (chaos/wan.ts). */
  wan: ChaosWan;
  /** Through the first manager that answers. */
  api(): Promise<ApiClient>;
}

/**
 * ZooKeeper (an ensemble of three) and four MariaDB servers through Ferry's own services code,
 * all durable (sync_binlog=1, innodb_flush_log_at_trx_commit=1: a killed server keeps what it
 * acknowledged): the source group's master and its standby (replicating natively by GTID), the
 * target, and the peer (the bidirectional channel's other master); then two managers and four
 * nodes as `bin/ferry` processes, each serving its pipe behind a link of `wan` (which the
 * caller closes), the data sources (the target in the other datacenter, so the pipelines run
 * split) and two started channels through the API (the main one, and the bidirectional one
 * between the peer and the target server). `prepare` runs once the servers answer, before the
 * channels start (the tables on every side but the standby's, which replicates them); the
 * processes started are pushed on `started` as they start, so the caller can stop them
 * whatever fails next.
 */
export async function startChaosCluster(stateDir: string, log: Logger, prepare: (state: ServicesState, servers: PreparedServers) => Promise<void>, started: ChaosProcess[], wan: ChaosWan): Promise<ChaosCluster> {
  const wanPorts = wanPortOffsets(CHAOS_NODES.length);
  const base = await findFreeBase([0, 1, 2, 100, 101, 102, 200, 201, 202, 1000, 1001, 1002, 1003, ...wanPorts.pipe, ...wanPorts.proxy]);
  const services = await servicesUp({
    stateDir,
    zkServers: 3,
    zkPort: base,
    // db1 the source group's master, db2 the target, db3 the source group's standby, db4 the peer.
    mariadb: 4,
    mariadbPort: base + 1000,
    mariadbArgs: ['--sync-binlog=1', '--innodb-flush-log-at-trx-commit=1'],
  }, log);
  const [source, target, standby, peer] = services.mariadb as [MariaDbInstance, MariaDbInstance, MariaDbInstance, MariaDbInstance];
  // The standby replicates from the start and so gets the schema from the source: prepared are the others.
  await startStandby(standby, source, services.users);
  await prepare(services, { source, target, peer });
  await standbyCaughtUp(source, standby, services.users, 120);
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const zk = zkConnectString(services);
  const adminToken = randomBytes(18).toString('base64url');
  const secretKeyFile = join(stateDir, 'secret.key');
  addKeyToFile(secretKeyFile);
  const managerAuth = writeZkAuthFile(stateDir, 'manager');
  const nodeAuth = writeZkAuthFile(stateDir, 'node');
  const session = String(CHAOS_TIMEOUTS.sessionS * 1000);

  const managers = ['manager-1', 'manager-2'].map((id) => new ChaosProcess(id, [
    'manager', '--zk', zk, '--port', '0', '--id', id, '--zk-auth-file', managerAuth, '--zk-node-auth-file', nodeAuth,
    '--session-timeout-ms', session, '--protection-period', `${CHAOS_TIMEOUTS.protectionS}s`,
  ], logDir, { FERRY_ADMIN_TOKEN: adminToken, FERRY_SECRET_KEY_FILE: secretKeyFile }));
  started.push(...managers);
  const urls = await Promise.all(managers.map(async (m) => (await m.process.waitForLine(/listening on (\S+)/, 120_000))[1]!));
  const clients = urls.map((url) => new ApiClient(url, adminToken));
  // A killed manager comes back on another port: ask each one for its current address.
  const managerUrl = async (m: ChaosProcess) => (await m.process.waitForLine(/listening on (\S+)/, 120_000))[1]!;
  const api = async () => {
    for (const m of managers) {
      if (!m.alive()) continue;
      const client = new ApiClient(await managerUrl(m), adminToken);
      if (await client.call('GET', '/health').then(() => true, () => false)) return client;
    }
    throw new Error('no manager answers');
  };

  const nodes: ChaosProcess[] = [];
  for (const [i, { id, dc }] of CHAOS_NODES.entries()) {
    const pipePort = base + wanPorts.pipe[i]!;
    const advertise = await wan.add(id, pipePort, base + wanPorts.proxy[i]!);
    const { token } = await clients[0]!.call<{ token: string }>('POST', '/tokens', { name: id, role: 'node', node: id });
    const node = new ChaosProcess(id, [
      'node', '--zk', zk, '--id', id, '--dc', dc, '--cache-dir', join(stateDir, id), '--zk-node-auth-file', nodeAuth,
      '--session-timeout-ms', session, '--stats-seconds', '1', '--pipe-listen', `127.0.0.1:${pipePort}`, '--pipe-advertise', advertise,
    ], logDir, { FERRY_NODE_TOKEN: token, FERRY_SECRET_KEY_FILE: secretKeyFile });
    nodes.push(node);
    started.push(node);
    await node.process.waitForLine(/registered/, 120_000);
  }

  const api0 = clients[0]!;
  await api0.call('POST', '/datasources', { groupKey: SOURCE_GROUP, dc: SOURCE_DC, master: { host: source.host, port: source.port }, standby: { host: standby.host, port: standby.port }, ...services.users.replication });
  await api0.call('POST', '/datasources', { groupKey: 'chaos-target', dc: TARGET_DC, master: { host: target.host, port: target.port }, ...services.users.app });
  await api0.call('POST', '/channels', { name: CHANNEL, pipelines: [{ name: PIPELINE, source: SOURCE_GROUP, target: 'chaos-target', tables: [`${CHAOS_SCHEMA}.*`] }] });
  await api0.call('POST', `/channels/${CHANNEL}/start`);
  await startBiChannel(api0, services.users, { peer, target });
  return { services, source, target, sourceGroup: new SourceGroup({ master: source, standby }), peer, managers, nodes, wan, api, zkConnect: zk, nodeAuthFile: nodeAuth };
}
