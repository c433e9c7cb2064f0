import { describe, expect, it } from 'vitest';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { FerryMetrics } from '../../../shared/metrics/registry.ts';
import { feedZkSessionState } from '../../../shared/metrics/zk-session-metric.ts';
import type { SessionState, ZkClient } from '../../../shared/zk/zk-client.ts';
import { ClusterMetrics } from '../../../manager/metrics/cluster-metrics.ts';
import { sampleValue } from '../../support/prometheus-text.ts';

/** The managers' cluster-level series, from a fake ZooKeeper holding node registrations and events. */

function fakeZk() {
  const nodes = new Set<string>();
  const events: Array<{ type: string }> = [];
  const prefix = zkPaths.eventPrefix.slice(zkPaths.events.length + 1);
  const name = (i: number) => `${prefix}${String(i).padStart(10, '0')}`;
  const zk = {
    getChildren: (path: string) => {
      if (path === zkPaths.nodes) return Promise.resolve([...nodes]);
      if (path === zkPaths.events) return Promise.resolve(events.map((_, i) => name(i)));
      return Promise.reject(new FerryError('FERRY_ERR_ZK_NO_NODE', { operation: 'getChildren', path, detail: 'no node' }));
    },
    getData: (path: string) => {
      const index = events.findIndex((_, i) => path === `${zkPaths.events}/${name(i)}`);
      return Promise.resolve({ data: Buffer.from(JSON.stringify({ at: 'x', by: 'test', reason: 'r', ...events[index] })), version: 0 });
    },
  } as unknown as ZkClient;
  return { zk, nodes, events };
}

describe('cluster metrics', () => {
  it('the leader exports node_up for every node it has seen: 1 registered, 0 gone', async () => {
    const metrics = new FerryMetrics();
    const fake = fakeZk();
    new ClusterMetrics(metrics, { isLeader: () => true, zk: () => fake.zk, log: silentLogger() });
    fake.nodes.add('n1').add('n2');
    let text = await metrics.text();
    expect(sampleValue(text, 'ferry_node_up', { node: 'n1' })).toBe(1);
    expect(sampleValue(text, 'ferry_node_up', { node: 'n2' })).toBe(1);
    fake.nodes.delete('n2');
    text = await metrics.text();
    expect(sampleValue(text, 'ferry_node_up', { node: 'n1' })).toBe(1);
    expect(sampleValue(text, 'ferry_node_up', { node: 'n2' })).toBe(0);
  });

  it('counts arbiter actions from the event log after the first scrape, by action', async () => {
    const metrics = new FerryMetrics();
    const fake = fakeZk();
    new ClusterMetrics(metrics, { isLeader: () => true, zk: () => fake.zk, log: silentLogger() });
    fake.events.push({ type: 'RESTART' }); // before this leader's first look: not counted
    let text = await metrics.text();
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'RESTART' })).toBe(0);
    fake.events.push({ type: 'ROLLBACK' }, { type: 'NODE_DOWN' }, { type: 'RESTART' }, { type: 'RESTART' });
    text = await metrics.text();
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'RESTART' })).toBe(2);
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'ROLLBACK' })).toBe(1);
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'NODE_DOWN' })).toBeUndefined();
    // Counted once: a later scrape with nothing new adds nothing.
    text = await metrics.text();
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'RESTART' })).toBe(2);
  });

  it('scrapes at the same time count each action once', async () => {
    const metrics = new FerryMetrics();
    const fake = fakeZk();
    new ClusterMetrics(metrics, { isLeader: () => true, zk: () => fake.zk, log: silentLogger() });
    await metrics.text();
    fake.events.push({ type: 'PAUSE' }, { type: 'START' });
    await Promise.all([metrics.text(), metrics.text(), metrics.text()]);
    const text = await metrics.text();
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'PAUSE' })).toBe(1);
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'START' })).toBe(1);
  });

  it('a manager that is not the leader exports no cluster-level series', async () => {
    const metrics = new FerryMetrics();
    const fake = fakeZk();
    let leader = true;
    new ClusterMetrics(metrics, { isLeader: () => leader, zk: () => fake.zk, log: silentLogger() });
    fake.nodes.add('n1');
    expect(sampleValue(await metrics.text(), 'ferry_node_up', { node: 'n1' })).toBe(1);
    leader = false;
    const text = await metrics.text();
    expect(sampleValue(text, 'ferry_node_up', { node: 'n1' })).toBeUndefined();
    expect(sampleValue(text, 'ferry_arbiter_actions_total', { action: 'RESTART' })).toBeUndefined();
  });

  it('the ZooKeeper session state is one-hot', async () => {
    const metrics = new FerryMetrics();
    let state: SessionState = 'connected';
    feedZkSessionState(metrics, () => state);
    expect(sampleValue(await metrics.text(), 'ferry_zk_session_state', { state: 'connected' })).toBe(1);
    state = 'disconnected';
    const text = await metrics.text();
    expect(sampleValue(text, 'ferry_zk_session_state', { state: 'connected' })).toBe(0);
    expect(sampleValue(text, 'ferry_zk_session_state', { state: 'disconnected' })).toBe(1);
    expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
  });
});
