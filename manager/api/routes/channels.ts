import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ChannelSpec, type ChannelSpecT, type ChannelStatusT } from '../../../shared/cluster/model.ts';
import { setChannelStatus } from '../../../shared/cluster/arbiter/index.ts';
import { apiArbiter } from '../../arbiter/api-arbiter.ts';
import { createChannel, deleteChannel, replaceChannel } from '../../config/channel-edits.ts';
import { API, docs, editContext, expectedVersion, requester, type ApiContext } from '../context.ts';
import { NameParams, VersionQuery } from '../schemas.ts';
import { readChannelViews, type ChannelView } from '../views.ts';
import { ReasonBody, emptyBodyAsObject } from './arbiter.ts';

type Named = { Params: { name: string } };
const tag = 'channels';

const STATUS_OF = { start: 'START', pause: 'PAUSE', stop: 'STOP' } as const satisfies Record<string, ChannelStatusT>;

/** /api/v1/channels: one or two pipelines with one permit (START / PAUSE / STOP). */
export function channelRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const viewOf = async (name: string): Promise<ChannelView> => (await readChannelViews(ctx.zk(), ctx.store(), name))[0]!;

  app.get(`${API}/channels`, {
    config: { action: 'read' },
    schema: docs(tag, 'List channels with status and pipeline progress'),
  }, () => readChannelViews(ctx.zk(), ctx.store()));

  app.post(`${API}/channels`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Create a channel (status STOP)'), body: Type.Ref(ChannelSpec) },
  }, async (request, reply) => {
    const spec = request.body as ChannelSpecT;
    await createChannel(editContext(ctx), spec, { by: requester(request) });
    const view = await viewOf(spec.name);
    return reply.code(201).header('etag', `"${view.version}"`).send(view);
  });

  app.get<Named>(`${API}/channels/:name`, {
    config: { action: 'read' },
    schema: { ...docs(tag, 'Get a channel: spec, status, and per pipeline its node, epoch, position, lag'), params: NameParams },
  }, async (request, reply) => {
    const view = await viewOf(request.params.name);
    return reply.header('etag', `"${view.version}"`).send(view);
  });

  app.put<Named>(`${API}/channels/:name`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Replace a channel that is PAUSE or STOP (If-Match: version)'), params: NameParams, querystring: VersionQuery, body: Type.Ref(ChannelSpec) },
  }, async (request, reply) => {
    const { name } = request.params;
    await replaceChannel(editContext(ctx), name, request.body as ChannelSpecT, { by: requester(request) }, expectedVersion(request));
    const view = await viewOf(name);
    return reply.header('etag', `"${view.version}"`).send(view);
  });

  app.delete<Named>(`${API}/channels/:name`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Delete a STOPped channel with its permit, assignments and stats (If-Match: version)'), params: NameParams, querystring: VersionQuery },
  }, async (request, reply) => {
    await deleteChannel(editContext(ctx), request.params.name, { by: requester(request) }, expectedVersion(request));
    return reply.code(204).send();
  });

  for (const [action, status] of Object.entries(STATUS_OF)) {
    app.post<Named>(`${API}/channels/:name/${action}`, {
      config: { action: 'channel.run' },
      // A body is optional; when given it is checked like any other (an unknown field is a 400).
      preValidation: emptyBodyAsObject,
      schema: { ...docs(tag, `Set the channel's permit to ${status}`), params: NameParams, body: ReasonBody },
    }, async (request) => {
      const { name } = request.params;
      const reason = (request.body as { reason?: string }).reason ?? `${action} requested through the API`;
      // Under the channel lock, like the arbiter's actions, and recorded as an event.
      await setChannelStatus(apiArbiter(ctx), name, status, { by: requester(request), reason });
      request.log.info({ channel: name, status, by: request.principal?.name }, 'channel permit set');
      return viewOf(name);
    });
  }
}
