import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { TokenRole } from '../../../shared/cluster/model.ts';
import { ROLE_ACTIONS } from '../auth.ts';
import { API, docs } from '../context.ts';

const WhoAmI = Type.Object({
  name: Type.String({ description: 'The token\'s name (`admin` for the bootstrap token).' }),
  role: TokenRole,
  actions: Type.Array(Type.String(), { description: 'What this role may do (read, channel.run, alarm.clear, datasource.switch, config.write, tokens, stats.report).' }),
}, { additionalProperties: false, description: 'The caller\'s token.' });

/** GET /api/v1/whoami: the console signs in with it and enables only what the role allows. */
export function whoamiRoutes(app: FastifyInstance): void {
  app.get(`${API}/whoami`, {
    config: { action: 'read' },
    schema: { ...docs('tokens', 'The calling token: its name, role and what that role may do'), response: { 200: WhoAmI } },
  }, (request) => {
    // The onRequest hook has signed the caller in before any 'read' route runs.
    const { name, role } = request.principal!;
    return { name, role, actions: [...ROLE_ACTIONS[role]] };
  });
}
