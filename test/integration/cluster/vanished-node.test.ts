import { describe, expect, it } from 'vitest';
import { testCluster } from '../../support/cluster.ts';
import { eventually } from '../manager/manager-support.ts';

interface ClusterBody {
  nodes: Array<{ id: string }>;
  vanished: Array<{ id: string; pipelines: string[]; since: string | null; protectionPeriodMs: number | null; movesAt: string | null }>;
}

describe('GET /api/v1/cluster', () => {
  it('shows a node killed with -9 as vanished, with its pipelines and when they move, until it comes back', async () => {
    const cluster = await testCluster({ managers: 1, nodes: ['n1'], managerArgs: ['--protection-period', '10m'] });
    expect((await cluster.api.post('/api/v1/channels/orders/start')).status).toBe(200);
    await cluster.runningOn({ node: 'n1' });
    await cluster.nodes.get('n1')!.kill('SIGKILL');
    const vanished = await eventually(async () => {
      const body = (await cluster.api.get<ClusterBody>('/api/v1/cluster')).body;
      return body.vanished.find((node) => node.id === 'n1' && node.since !== null);
    }, 120_000, 'n1 reported vanished');
    expect(vanished.pipelines).toEqual([cluster.pipeline]);
    expect(vanished.protectionPeriodMs).toBe(600_000);
    expect(Date.parse(vanished.movesAt!) - Date.parse(vanished.since!)).toBe(600_000);
    await cluster.startNode('n1');
    await eventually(async () => ((await cluster.api.get<ClusterBody>('/api/v1/cluster')).body.vanished.length === 0 ? true : undefined), 120_000, 'n1 no longer vanished');
  });
});
