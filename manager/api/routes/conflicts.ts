import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FerryError } from '../../../shared/errors/index.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';
import { readStats } from '../../runtime-state.ts';
import { ChannelConflicts, ConflictsQuery } from '../conflict-schemas.ts';
import { API, docs, type ApiContext } from '../context.ts';
import { NameParams } from '../schemas.ts';
import { badRequest } from '../../config/bad-request.ts';

const DEFAULT_LIMIT = 20;
/** Each pipeline's node reports its newest 20: two pipelines hold at most 40. */
const MAX_LIMIT = 40;

/**
 * GET /api/v1/channels/{name}/conflicts: what the load nodes of the channel's pipelines last
 * reported of the conflicts their targets recorded (managers never connect to databases; the
 * target's <systemSchema>.conflicts keeps every one).
 */
export function conflictRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { name: string }; Querystring: { limit?: string } }>(`${API}/channels/:name/conflicts`, {
    config: { action: 'read' },
    schema: {
      ...docs('channels', "The channel's conflicts, both pipelines, newest first: table, key, kind, both versions, the decision, when"),
      params: NameParams,
      querystring: ConflictsQuery,
      response: { 200: Type.Ref(ChannelConflicts) },
    },
  }, async (request) => {
    const { name } = request.params;
    const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit);
    if (limit < 1 || limit > MAX_LIMIT) throw badRequest([{ path: '/limit', message: `is ${limit}; give 1 to ${MAX_LIMIT}` }]);
    const channel = (await ctx.store().read()).channels[name];
    if (!channel) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'channel', name });
    const names = channel.value.pipelines.map((p) => p.name);
    const stats = await readStats(ctx.zk(), names);
    const pipelines = names.map((pipeline) => {
      const reported = stats.get(pipeline);
      return { pipeline, total: reported?.conflicts?.total ?? null, reportedAt: reported?.conflicts === undefined ? null : reported.at };
    });
    const conflicts: ConflictRecord[] = names.flatMap((pipeline) => stats.get(pipeline)?.conflicts?.recent ?? []);
    // Newest first across both pipelines; ISO 8601 times of one clock format sort as text.
    conflicts.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return {
      channel: name,
      total: pipelines.reduce((sum, p) => sum + (p.total ?? 0), 0),
      pipelines,
      conflicts: conflicts.slice(0, limit),
    };
  });
}
