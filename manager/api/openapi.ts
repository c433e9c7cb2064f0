import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { ChannelSpec, DataSourceSpec } from '../../shared/cluster/model.ts';
import { API, docs } from './context.ts';
import { DataSourceReplacement, StatsReport, SwitchBody, TokenCreate } from './schemas.ts';
import { ChannelConflicts } from './conflict-schemas.ts';
import { VerifyJob } from './verify-schemas.ts';

/** The body schemas routes refer to by $id; one definition each in the OpenAPI components. */
export const SHARED_SCHEMAS = [DataSourceSpec, DataSourceReplacement, SwitchBody, ChannelSpec, TokenCreate, StatsReport, VerifyJob, ChannelConflicts];

/**
 * Registers the shared schemas and @fastify/swagger, which builds the OpenAPI 3 document from
 * the route schemas themselves: the document cannot drift from what the API validates. Must
 * run before the routes are added.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Ferry manager API',
        version,
        description: 'Configuration (data sources, channels), channel control, cluster state and tokens. Every manager serves it; any of them accepts writes. Errors are {code, message, workaround, details}; docs/api.md has examples.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: --admin-token, or one made with POST /api/v1/tokens.' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.get(`${API}/openapi.json`, { config: { action: 'public' }, schema: { ...docs('cluster', 'This document (no token needed)', true) } }, () => app.swagger());
}
