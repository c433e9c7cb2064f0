import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyHttpOptions, type FastifyHttpsOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { FerryError, isFerryError } from '../../shared/errors/index.ts';
import type { ServerTls } from '../../shared/tls/tls-options.ts';
import { authenticate, authorize, bearerToken, BOOTSTRAP_ADMIN, sameSecret, sha256Hex, type Principal } from './auth.ts';
import type { ApiContext } from './context.ts';
import { consoleRoutes } from './console.ts';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './error-handler.ts';
import { registerOpenApi } from './openapi.ts';
import { guardRoutes, type RouteAccess } from './route-guard.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { auditRoutes } from './routes/audit.ts';
import { arbiterRoutes } from './routes/arbiter.ts';
import { channelRoutes } from './routes/channels.ts';
import { clusterRoutes } from './routes/cluster.ts';
import { configHistoryRoutes } from './routes/config-history.ts';
import { dataSourceRoutes } from './routes/datasources.ts';
import { eventRoutes } from './routes/events.ts';
import { statsHistoryRoutes } from './routes/stats-history.ts';
import { verifyRoutes } from './routes/verify.ts';
import { conflictRoutes } from './routes/conflicts.ts';
import { statsRoutes } from './routes/stats.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { whoamiRoutes } from './routes/whoami.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { SignInLimiter } from './sign-in-limiter.ts';

export const API_VERSION = '1.0.0';

/**
 * The REST API of a manager. Validation is strict: unknown fields are refused (not removed)
 * and every problem is reported (allErrors); `verbose` gives the error formatter the values
 * and schemas it needs to word problems. Query strings are not coerced, so the schemas say
 * exactly what is accepted.
 */
export async function buildApi(ctx: ApiContext, server: ApiServerOptions = {}): Promise<FastifyInstance> {
  // Typed as fastify's logger so the instance has fastify's default type parameters.
  const logger: FastifyBaseLogger = ctx.log;
  const app = createFastify(server.https, {
    loggerInstance: logger,
    // One debug line per request from our onResponse hook instead of fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Errors raised before routing, in Ferry's error shape like every other answer.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: false, useDefaults: true, verbose: true } },
  });
  app.decorateRequest('principal', null);
  app.decorate('routeAccess', guardRoutes(app));
  installErrorHandling(app);
  acceptEmptyJsonBodies(app);

  // Before the sign-in hook: a failed sign-in ends the request there, and is audited too.
  ctx.audit?.install(app);
  // Authentication before the body is even parsed: a caller without a valid token learns nothing.
  const limiter = new SignInLimiter(ctx.signInLimits);
  app.addHook('onRequest', async (request) => {
    const action = request.routeOptions.config.action;
    // Unknown routes have no config: they answer 404 without a token.
    if (action === 'public' || request.routeOptions.url === undefined) return;
    if (action === undefined) throw new FerryError('FERRY_ERR_API_ROUTE_UNGUARDED', { route: `${request.method} ${request.routeOptions.url}` });
    const principal = await signIn(ctx, limiter, request.ip, request.headers.authorization);
    // Set before the role check, so a refused (403) request is audited with who asked.
    request.principal = principal;
    authorize(principal, action);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), by: request.principal?.name }, 'request');
  });

  await registerOpenApi(app, API_VERSION);
  clusterRoutes(app, ctx);
  dataSourceRoutes(app, ctx);
  channelRoutes(app, ctx);
  statsHistoryRoutes(app, ctx);
  configHistoryRoutes(app, ctx);
  verifyRoutes(app, ctx);
  conflictRoutes(app, ctx);
  tokenRoutes(app, ctx);
  statsRoutes(app, ctx);
  arbiterRoutes(app, ctx);
  eventRoutes(app, ctx);
  alarmRoutes(app, ctx);
  auditRoutes(app, ctx);
  whoamiRoutes(app);
  metricsRoutes(app, ctx.metrics);
  consoleRoutes(app, server.consoleDir);
  await app.ready();
  return app;
}

export interface ApiServerOptions {
  /** Serve HTTPS only, with these (checked) options; the port then speaks no plain HTTP. @default plain HTTP */
  https?: ServerTls;
  /** The built web console served at / (see console.ts). @default CONSOLE_DIR, web/dist */
  consoleDir?: string;
}

/**
 * Fastify over HTTP, or over HTTPS only. Typed as the plain-HTTP instance: routes, hooks and
 * inject() do not depend on the server underneath, only listen() does.
 */
function createFastify(https: ServerTls | undefined, options: FastifyHttpOptions<Server>): FastifyInstance {
  if (https === undefined) return Fastify(options);
  const secure: FastifyHttpsOptions<HttpsServer> = { ...(options as unknown as FastifyServerOptions<HttpsServer>), https: { ...https } };
  return Fastify(secure);
}

/**
 * Authentication under the sign-in limit: an address past its failures is refused (429)
 * before any token lookup, unless its token is the bootstrap one or one accepted before.
 */
async function signIn(ctx: ApiContext, limiter: SignInLimiter, address: string, header: string | undefined): Promise<Principal> {
  const token = bearerToken(header);
  const retryAfterSeconds = limiter.retryAfterSeconds(address);
  if (retryAfterSeconds > 0 && !(token !== undefined && (sameSecret(token, ctx.adminToken) || limiter.wasAccepted(sha256Hex(token))))) {
    throw new FerryError('FERRY_ERR_API_RATE_LIMITED', { address, retryAfterSeconds });
  }
  try {
    const principal = await authenticate(() => ctx.zk(), ctx.adminToken, header);
    if (token !== undefined && principal.name !== BOOTSTRAP_ADMIN) limiter.acceptedToken(sha256Hex(token));
    return principal;
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_API_UNAUTHORIZED')) {
      limiter.failed(address);
      ctx.log.debug({ address }, 'sign-in failed');
    }
    throw error;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the action it requires, in the order they were added. */
    routeAccess: RouteAccess[];
  }
}

/**
 * `curl -H 'Content-Type: application/json' -X POST .../channels/x/start` sends an empty body
 * with a JSON content type; fastify refuses that by default. An empty body is no body here
 * (routes with a required body still say so); anything else must be valid JSON.
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
