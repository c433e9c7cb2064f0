import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../config/bad-request.ts';
import { createToken, deleteToken, listTokens } from '../../config/token-edits.ts';
import { API, docs, editContext, requester, type ApiContext } from '../context.ts';
import { TokenCreate, TokenNameParams, type TokenCreateT } from '../schemas.ts';

const tag = 'tokens';

/** /api/v1/tokens (admin): named tokens with a role. A token is shown once, when created. */
export function tokenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(`${API}/tokens`, {
    config: { action: 'tokens' },
    schema: docs(tag, 'List tokens (names, roles and node ids, never the tokens)'),
  }, async () => [...(await listTokens(ctx.zk())).values()].sort((a, b) => a.name.localeCompare(b.name)));

  app.post(`${API}/tokens`, {
    config: { action: 'tokens' },
    schema: { ...docs(tag, 'Create a token; the response holds it, the only time it is shown'), body: Type.Ref(TokenCreate) },
  }, async (request, reply) => {
    const { name, role, node } = request.body as TokenCreateT;
    // A node token speaks for one node only: without a node id it could report for any.
    if (role === 'node' && node === undefined) throw badRequest([{ path: '/node', message: 'is required for role node: the id of the node this token reports for' }]);
    if (role !== 'node' && node !== undefined) throw badRequest([{ path: '/node', message: `is for role node only, not ${role}` }]);
    const created = await createToken(editContext(ctx), name, role, { by: requester(request) }, node);
    request.log.info({ tokenName: name, role, node, by: request.principal?.name }, 'token created');
    return reply.code(201).send(created);
  });

  app.delete<{ Params: { name: string } }>(`${API}/tokens/:name`, {
    config: { action: 'tokens' },
    schema: { ...docs(tag, 'Delete a token'), params: TokenNameParams },
  }, async (request, reply) => {
    await deleteToken(editContext(ctx), request.params.name, { by: requester(request) });
    request.log.info({ tokenName: request.params.name, by: request.principal?.name }, 'token deleted');
    return reply.code(204).send();
  });
}
