import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FerryError } from '../../../shared/errors/index.ts';
import { badRequest } from '../../config/bad-request.ts';
import { fromAssignedNodes, statsDateProblems } from '../../stats-admission.ts';
import { appendHistory, HISTORY_LIMITS, type LastSamples } from '../../stats-history.ts';
import { writeStats } from '../../stats-writer.ts';
import { API, docs, type ApiContext } from '../context.ts';
import { StatsReport, type StatsReportT } from '../schemas.ts';

/**
 * POST /api/v1/internal/stats: nodes push their pipelines' progress to any live manager (not
 * only the leader), which keeps the latest per pipeline in /stats for the views and a sample
 * every 5 s in /history for the charts. A node token
 * reports only for its own node, and only the figures of pipelines assigned to that node at
 * the reported epoch are kept (stats-admission.ts).
 */
export function statsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const lastSamples: LastSamples = new Map();
  app.post(`${API}/internal/stats`, {
    config: { action: 'stats.report' },
    schema: { ...docs('internal', 'A node reports the progress of the pipelines it runs'), body: Type.Ref(StatsReport) },
  }, async (request, reply) => {
    const report = request.body as StatsReportT;
    const principal = request.principal;
    if (principal?.role === 'node' && principal.node !== report.node) {
      throw new FerryError('FERRY_ERR_API_NODE_MISMATCH', { tokenNode: principal.node ?? null, node: report.node });
    }
    const foreign = report.stats.flatMap((s, i) => (s.node === report.node ? [] : [{ path: `/stats/${i}/node`, message: `is '${s.node}', not the reporting node '${report.node}'` }]));
    const problems = [...foreign, ...statsDateProblems(report.stats)];
    if (problems.length > 0) throw badRequest(problems);
    // Stats of pipelines no channel holds any more would linger in /stats: drop them.
    const snapshot = await ctx.store().snapshot();
    const names = new Set(Object.values(snapshot.channels).flatMap((c) => c.pipelines.map((p) => p.name)));
    const known = report.stats.filter((s) => names.has(s.pipeline));
    const admitted = await fromAssignedNodes(ctx.zk(), known);
    if (admitted.length < known.length) request.log.debug({ node: report.node, ignored: known.length - admitted.length, by: principal?.name }, 'stats of unassigned pipelines ignored');
    await writeStats(ctx.zk(), admitted);
    // The chart history, from the same admitted figures.
    await appendHistory(ctx.zk(), admitted, HISTORY_LIMITS, lastSamples);
    return reply.code(204).send();
  });
}
