import { describe, expect, it } from 'vitest';
import type { AssignmentRecord, NodeRecord } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import { zkChroot, zkClient } from '../../support/zookeeper.ts';
import { ADMIN_TOKEN, apiClient, channel, dataSource, eventually } from './manager-support.ts';

/**
 * Two real manager processes (bin/ferry manager) on one chroot: the leader dies by kill -9,
 * by SIGTERM, or stalls past its session (SIGSTOP); the other one leads within the session
 * timeout, and replication is never paused: assignments stay exactly as they were.
 */

const SESSION_TIMEOUT_MS = 4_000;

interface Spawned {
  id: string;
  url: string;
  process: FerryProcess;
}

async function spawnManager(connect: string, id: string): Promise<Spawned> {
  const process = startFerry(['manager', '--zk', connect, '--port', '0', '--id', id, '--session-timeout-ms', String(SESSION_TIMEOUT_MS)], { FERRY_ADMIN_TOKEN: ADMIN_TOKEN });
  const url = await eventually(() => /manager \S+ listening on (\S+)/.exec(process.output())?.[1], 20_000, `manager ${id} to listen`);
  return { id, url, process };
}

type ClusterBody = { leader: string | null; managers: { id: string; leader: boolean }[] };

async function leaderSeenBy(manager: Spawned): Promise<string | null> {
  return (await apiClient(manager.url).get<ClusterBody>('/api/v1/cluster')).body.leader;
}

/** Seconds until `survivor` reports itself as leader. */
async function secondsUntilLeading(survivor: Spawned, since: number): Promise<number> {
  await eventually(async () => ((await leaderSeenBy(survivor)) === survivor.id ? true : undefined), SESSION_TIMEOUT_MS + 4_000, `${survivor.id} to lead`);
  return (Date.now() - since) / 1000;
}

async function managers(count: number) {
  const connect = await zkChroot();
  const spawned = await Promise.all(Array.from({ length: count }, (_, i) => spawnManager(connect, `m${i + 1}`)));
  const leaderId = await eventually(async () => (await leaderSeenBy(spawned[0]!)) ?? undefined, 5_000, 'a leader');
  for (const manager of spawned) expect(await leaderSeenBy(manager)).toBe(leaderId);
  const leader = spawned.find((m) => m.id === leaderId)!;
  return { connect, leader, others: spawned.filter((m) => m !== leader) };
}

describe('manager leader failover', () => {
  it('hands over at once on SIGTERM, and within the session timeout after kill -9, leaving assignments alone', async () => {
    const { connect, leader: first, others } = await managers(3);
    const fake = await zkClient(connect);
    const node: NodeRecord = { id: 'n1', dc: 'dc1', address: '127.0.0.1:7001', capacity: { pipelines: 4 }, state: 'up', version: 'test', startedAt: new Date().toISOString() };
    await fake.create(zkPaths.node('n1'), JSON.stringify(node), 'ephemeral');
    const api = apiClient(others[0]!.url);
    await api.post('/api/v1/datasources', dataSource('a', 3306));
    await api.post('/api/v1/datasources', dataSource('b', 3307));
    await api.post('/api/v1/channels', channel('c1', [{ name: 'p1', source: 'a', target: 'b' }]));
    await api.post('/api/v1/channels', channel('c2', [{ name: 'q1', source: 'b', target: 'a' }]));
    await api.post('/api/v1/channels/c1/start');
    const read = async (pipeline: string) => {
      const found = await fake.exists(zkPaths.assignment(pipeline));
      return found === null ? undefined : JSON.parse((await fake.getData(zkPaths.assignment(pipeline))).data.toString()) as AssignmentRecord;
    };
    const before = await eventually(() => read('p1'), 5_000, 'p1 assigned');
    const version = await fake.exists(zkPaths.assignment('p1'));

    // A clean stop removes the candidate at once: the next manager leads without waiting
    // for the session to expire (its candidate znode is gone when the process has exited).
    const stoppedAt = Date.now();
    expect(await first.process.kill('SIGTERM')).toBe(0);
    expect(await fake.getChildren(zkPaths.election)).toHaveLength(2);
    const second = await eventually(async () => {
      const leaderId = await leaderSeenBy(others[0]!);
      return others.find((m) => m.id === leaderId);
    }, 2_000, 'a leader after SIGTERM');
    console.log(`failover after SIGTERM: ${((Date.now() - stoppedAt) / 1000).toFixed(2)} s`);
    const survivor = others.find((m) => m !== second)!;

    // A crash leaves the candidate until the session expires.
    const killedAt = Date.now();
    await second.process.kill('SIGKILL');
    const seconds = await secondsUntilLeading(survivor, killedAt);
    console.log(`failover after kill -9: ${seconds.toFixed(2)} s (session timeout ${SESSION_TIMEOUT_MS / 1000} s)`);

    // The last leader schedules (it places c2) but leaves p1, whose node is alive, alone.
    const last = apiClient(survivor.url);
    await last.post('/api/v1/channels/c2/start');
    await eventually(() => read('q1'), 5_000, 'q1 assigned by the new leader');
    expect(await fake.exists(zkPaths.assignment('p1'))).toBe(version);
    expect(await read('p1')).toEqual(before);
    const cluster = await last.get<ClusterBody>('/api/v1/cluster');
    expect(cluster.body.managers).toEqual([expect.objectContaining({ id: survivor.id, leader: true })]);
  });

  it('a leader stalled past its session steps down, renews its session and rejoins as follower', async () => {
    const { leader, others: [follower] } = await managers(2);
    if (!follower) throw new Error('no follower');
    leader.process.child.kill('SIGSTOP');
    const stalledAt = Date.now();
    try {
      const seconds = await secondsUntilLeading(follower, stalledAt);
      console.log(`failover after SIGSTOP: ${seconds.toFixed(2)} s`);
    } finally {
      leader.process.child.kill('SIGCONT');
    }
    // Woken up, it finds its session expired, opens a new one and registers again.
    await eventually(async () => {
      const cluster = (await apiClient(follower.url).get<ClusterBody>('/api/v1/cluster')).body;
      return cluster.managers.length === 2 ? cluster : undefined;
    }, 15_000, 'the stalled manager to register again');
    const health = await apiClient(leader.url, null).get<{ leader: boolean }>('/api/v1/health');
    expect(health.body.leader).toBe(false);
    expect(await leaderSeenBy(leader)).toBe(follower.id);
    await expect.poll(() => leader.process.output(), { timeout: 120_000 }).toContain('ZooKeeper session renewed');
  });
});
