import type { FastifyInstance } from 'fastify';
import { currentLeader, readManagers, readNodes } from '../../runtime-state.ts';
import { API, docs, type ApiContext } from '../context.ts';

/** GET /api/v1/cluster and /health: who leads, which managers and nodes are alive. */
export function clusterRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(`${API}/cluster`, {
    config: { action: 'read' },
    schema: docs('cluster', 'Leader, live managers and nodes, configuration epoch'),
  }, async () => {
    const zk = ctx.zk();
    // The leader as ZooKeeper sees it, so every manager gives the same answer.
    const [leader, managers, nodes, configEpoch] = await Promise.all([currentLeader(zk), readManagers(zk), readNodes(zk), ctx.store().epoch()]);
    return {
      leader,
      managers: [...managers.values()].map(({ value }) => ({ id: value.id, url: value.url, startedAt: value.startedAt, leader: value.id === leader })).sort((a, b) => a.id.localeCompare(b.id)),
      nodes: [...nodes.values()].map(({ value }) => ({ id: value.id, dc: value.dc, state: value.state, address: value.address, capacity: value.capacity, version: value.version, startedAt: value.startedAt })).sort((a, b) => a.id.localeCompare(b.id)),
      configEpoch,
    };
  });

  // No token and no ZooKeeper read: load balancers and tests poll it.
  app.get(`${API}/health`, {
    config: { action: 'public' },
    schema: docs('cluster', 'Liveness of this manager (no token needed)', true),
  }, () => ({ ok: true, id: ctx.managerId(), leader: ctx.isLeader() }));
}
