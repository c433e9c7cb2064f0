import type { FastifyInstance } from 'fastify';
import { FerryError } from '../../../shared/errors/index.ts';
import { HISTORY_LIMITS, readHistory } from '../../stats-history.ts';
import { API, docs, type ApiContext } from '../context.ts';
import { NameParams } from '../schemas.ts';

/** One pipeline's figures as columns (uPlot's form): the same index is one sample. */
export interface PipelineHistoryView {
  name: string;
  /** Milliseconds since 1970 (node clock of the report). */
  at: number[];
  lagMs: Array<number | null>;
  rowsPerSecond: number[];
}

export interface ChannelHistoryView {
  channel: string;
  spacingMs: number;
  windowMs: number;
  pipelines: PipelineHistoryView[];
}

/** GET /api/v1/channels/{name}/stats/history: each pipeline's recent lag and rows/s, kept in ZooKeeper so charts survive a reload. */
export function statsHistoryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { name: string } }>(`${API}/channels/:name/stats/history`, {
    config: { action: 'read' },
    schema: { ...docs('channels', `Each pipeline's lag and rows/s, one sample per ${HISTORY_LIMITS.spacingMs / 1000} s over the last ${HISTORY_LIMITS.windowMs / 60_000} minutes, as columns`), params: NameParams },
  }, async (request): Promise<ChannelHistoryView> => {
    const { name } = request.params;
    const channel = (await ctx.store().read()).channels[name];
    if (!channel) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'channel', name });
    const pipelines = await Promise.all(channel.value.pipelines.map(async ({ name: pipeline }) => {
      const samples = (await readHistory(ctx.zk(), pipeline))?.samples ?? [];
      return { name: pipeline, at: samples.map((s) => s[0]), lagMs: samples.map((s) => s[1]), rowsPerSecond: samples.map((s) => s[2]) };
    }));
    return { channel: name, spacingMs: HISTORY_LIMITS.spacingMs, windowMs: HISTORY_LIMITS.windowMs, pipelines };
  });
}
