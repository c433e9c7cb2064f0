import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../config/bad-request.ts';
import { writeStats } from '../../stats-writer.ts';
import { API, docs, type ApiContext } from '../context.ts';
import { StatsReport, type StatsReportT } from '../schemas.ts';

/**
 * POST /api/v1/internal/stats: nodes push their pipelines' progress to any live manager (not
 * only the leader), which keeps the latest per pipeline in /stats for the views.
 */
export function statsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(`${API}/internal/stats`, {
    config: { action: 'stats.report' },
    schema: { ...docs('internal', 'A node reports the progress of the pipelines it runs'), body: Type.Ref(StatsReport) },
  }, async (request, reply) => {
    const report = request.body as StatsReportT;
    const foreign = report.stats.flatMap((s, i) => (s.node === report.node ? [] : [{ path: `/stats/${i}/node`, message: `is '${s.node}', not the reporting node '${report.node}'` }]));
    if (foreign.length > 0) throw badRequest(foreign);
    // Stats of pipelines no channel holds any more would linger in /stats: drop them.
    const snapshot = await ctx.store().snapshot();
    const names = new Set(Object.values(snapshot.channels).flatMap((c) => c.pipelines.map((p) => p.name)));
    const known = report.stats.filter((s) => names.has(s.pipeline));
    await writeStats(ctx.zk(), known);
    return reply.code(204).send();
  });
}
