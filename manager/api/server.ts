import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { authenticate, authorize } from './auth.ts';
import type { ApiContext } from './context.ts';
import { installErrorHandling } from './error-handler.ts';
import { registerOpenApi } from './openapi.ts';
import { channelRoutes } from './routes/channels.ts';
import { clusterRoutes } from './routes/cluster.ts';
import { dataSourceRoutes } from './routes/datasources.ts';
import { statsRoutes } from './routes/stats.ts';
import { tokenRoutes } from './routes/tokens.ts';

export const API_VERSION = '1.0.0';

/**
 * The REST API of a manager. Validation is strict: unknown fields are refused (not removed)
 * and every problem is reported (allErrors); `verbose` gives the error formatter the values
 * and schemas it needs to word problems. Query strings are not coerced, so the schemas say
 * exactly what is accepted.
 */
export async function buildApi(ctx: ApiContext): Promise<FastifyInstance> {
  // Typed as fastify's logger so the instance has fastify's default type parameters.
  const logger: FastifyBaseLogger = ctx.log;
  const app = Fastify({
    loggerInstance: logger,
    // One debug line per request from our onResponse hook instead of fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false, useDefaults: true, verbose: true } },
  });
  app.decorateRequest('principal', null);
  installErrorHandling(app);

  // Authentication before the body is even parsed: a caller without a valid token learns nothing.
  app.addHook('onRequest', async (request) => {
    const action = request.routeOptions.config.action;
    if (action === undefined) return;
    const principal = await authenticate(() => ctx.zk(), ctx.adminToken, request.headers.authorization);
    authorize(principal, action);
    request.principal = principal;
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), by: request.principal?.name }, 'request');
  });

  await registerOpenApi(app, API_VERSION);
  clusterRoutes(app, ctx);
  dataSourceRoutes(app, ctx);
  channelRoutes(app, ctx);
  tokenRoutes(app, ctx);
  statsRoutes(app, ctx);
  await app.ready();
  return app;
}
