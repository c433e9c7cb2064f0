import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NAME_PATTERN } from '../../../shared/cluster/model.ts';
import { raiseWarning, restartChannel, rollbackChannel } from '../../../shared/cluster/arbiter/index.ts';
import { apiArbiter } from '../../arbiter/api-arbiter.ts';
import { API, docs, requester, type ApiContext } from '../context.ts';
import { NameParams } from '../schemas.ts';

type Named = { Params: { name: string } };
const tag = 'arbiter';
const strict = { additionalProperties: false } as const;

export const ReasonBody = Type.Object({
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Why; recorded in the permit and the event. Default: "requested through the API".' })),
}, { ...strict, description: 'Optional; the body may be left out.' });
type ReasonBodyT = Static<typeof ReasonBody>;

const WarningBody = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 1000, description: 'What is wrong; the alarm message and the event reason.' }),
  pipeline: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'Only this pipeline of the channel. Default: every pipeline of the channel.' })),
}, strict);
type WarningBodyT = Static<typeof WarningBody>;

/** Lets a body schema accept no body at all: the route sees {} instead. */
export function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  request.body ??= {};
  done();
}

const causeOf = (request: FastifyRequest) => ({ by: requester(request), reason: (request.body as ReasonBodyT).reason ?? 'requested through the API' });

/**
 * The arbiter's actions through the API: ROLLBACK and RESTART (under the channel lock, 409
 * FERRY_ERR_LOCK_TIMEOUT when it cannot be had) and WARNING. Each answers with what it did,
 * including the event recorded.
 */
export function arbiterRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<Named>(`${API}/channels/:name/rollback`, {
    config: { action: 'channel.run' },
    preValidation: emptyBodyAsObject,
    schema: { ...docs(tag, 'ROLLBACK: permit PAUSE, every node drops in-flight batches and clears the channel; stays PAUSE'), params: NameParams, body: ReasonBody },
  }, async (request) => {
    const outcome = await rollbackChannel(apiArbiter(ctx), request.params.name, causeOf(request));
    request.log.info({ channel: outcome.channel, rollbackId: outcome.rollbackId, cleared: outcome.cleared, unresponsive: outcome.unresponsive, by: request.principal?.name }, 'channel rolled back');
    return outcome;
  });

  app.post<Named>(`${API}/channels/:name/restart`, {
    config: { action: 'channel.run' },
    preValidation: emptyBodyAsObject,
    schema: { ...docs(tag, 'RESTART: a ROLLBACK, then the pipelines are placed again under new epochs and the permit is START'), params: NameParams, body: ReasonBody },
  }, async (request) => {
    const outcome = await restartChannel(apiArbiter(ctx), request.params.name, causeOf(request));
    request.log.info({ channel: outcome.channel, rollbackId: outcome.rollbackId, placed: outcome.placed, unplaced: outcome.unplaced, by: request.principal?.name }, 'channel restarted');
    return outcome;
  });

  app.post<Named>(`${API}/channels/:name/warning`, {
    config: { action: 'channel.run' },
    schema: { ...docs(tag, 'WARNING: an alarm and an event, nothing else changes'), params: NameParams, body: WarningBody },
  }, async (request, reply) => {
    const body = request.body as WarningBodyT;
    await raiseWarning(apiArbiter(ctx), { channel: request.params.name, pipeline: body.pipeline }, { by: requester(request), reason: body.reason });
    return reply.code(204).send();
  });
}
