import type { FastifyInstance } from 'fastify';
import { FerryMetrics } from '../../../shared/metrics/registry.ts';

/** What GET /metrics serves: the manager's metrics, and whether a token is needed. */
export interface ApiMetrics {
  metrics: FerryMetrics;
  /** --metrics-public: no token. @default false: any valid token (every role may 'read') */
  public?: boolean;
}

/**
 * GET /metrics: Prometheus's text format on the API port (docs/metrics.md), outside /api/v1
 * where scrapers look by default. Any valid token reads it, or anyone with --metrics-public.
 */
export function metricsRoutes(app: FastifyInstance, served: ApiMetrics = { metrics: new FerryMetrics() }): void {
  app.get('/metrics', { config: { action: served.public === true ? 'public' : 'read' }, schema: { hide: true } }, async (_request, reply) => {
    const text = await served.metrics.text();
    return reply.type(served.metrics.contentType).send(text);
  });
}
