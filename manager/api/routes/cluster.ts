import type { FastifyInstance } from 'fastify';
import { EventLog } from '../../../shared/cluster/event-log.ts';
import { currentLeader, readAssignments, readManagers, readNodes, readSelectAssignments } from '../../runtime-state.ts';
import { vanishedNodes } from '../vanished-nodes.ts';
import { API, docs, type ApiContext } from '../context.ts';

/** GET /api/v1/cluster and /health: who leads, which managers and nodes are alive, which vanished with work waiting for them. */
export function clusterRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(`${API}/cluster`, {
    config: { action: 'read' },
    schema: docs('cluster', 'Leader, live managers and nodes, configuration epoch'),
  }, async () => {
    const zk = ctx.zk();
    // The leader as ZooKeeper sees it, so every manager gives the same answer.
    const [leader, managers, nodes, configEpoch, assignments, selects, downEvents] = await Promise.all([
      currentLeader(zk), readManagers(zk), readNodes(zk), ctx.store().epoch(), readAssignments(zk), readSelectAssignments(zk),
      new EventLog(zk).list({ type: 'NODE_DOWN', limit: 100 }),
    ]);
    const holders = [
      ...[...assignments.values()].map(({ value }) => ({ node: value.node, pipeline: value.pipeline })),
      ...[...selects.values()].map(({ value }) => ({ node: value.node, pipeline: `select:${value.pipeline}` })),
    ];
    return {
      leader,
      managers: [...managers.values()].map(({ value }) => ({ id: value.id, url: value.url, startedAt: value.startedAt, leader: value.id === leader })).sort((a, b) => a.id.localeCompare(b.id)),
      nodes: [...nodes.values()].map(({ value }) => ({ id: value.id, dc: value.dc, state: value.state, address: value.address, capacity: value.capacity, version: value.version, startedAt: value.startedAt })).sort((a, b) => a.id.localeCompare(b.id)),
      vanished: vanishedNodes(new Set(nodes.keys()), holders, downEvents),
      configEpoch,
    };
  });

  // No token and no ZooKeeper read: load balancers and tests poll it.
  app.get(`${API}/health`, {
    config: { action: 'public' },
    schema: docs('cluster', 'Liveness of this manager (no token needed)', true),
  }, () => ({ ok: true, id: ctx.managerId(), leader: ctx.isLeader() }));
}
