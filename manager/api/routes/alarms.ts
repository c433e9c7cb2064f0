import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EventLog } from '../../../shared/cluster/event-log.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { AlarmStore } from '../../alarms/index.ts';
import { apiAlarms } from '../../arbiter/api-arbiter.ts';
import { API, docs, requester, type ApiContext } from '../context.ts';
import { ReasonBody, emptyBodyAsObject } from './arbiter.ts';

const AlarmParams = Type.Object({
  id: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'The alarm id, `<rule>:<pipeline>` (e.g. lag:orders-eu-us).' }),
}, { additionalProperties: false });
type AlarmParamsT = Static<typeof AlarmParams>;

/**
 * Active alarms (the leader's rules and manual warnings), from ZooKeeper so every manager
 * answers the same. Clearing one records ALARM_CLEARED; a rule alarm whose condition goes on
 * is raised again by the leader.
 */
export function alarmRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(`${API}/alarms`, {
    config: { action: 'read' },
    schema: docs('arbiter', 'Active alarms: lag, no progress, repeated errors, warnings'),
  }, () => new AlarmStore(ctx.zk()).list());

  app.post<{ Params: AlarmParamsT; Body: Static<typeof ReasonBody> }>(`${API}/alarms/:id/clear`, {
    config: { action: 'alarm.clear' },
    preValidation: emptyBodyAsObject,
    schema: { ...docs('arbiter', 'Clear an active alarm'), params: AlarmParams, body: ReasonBody },
  }, async (request, reply) => {
    const { id } = request.params;
    const cleared = await apiAlarms(ctx, new EventLog(ctx.zk(), { log: ctx.log })).clear(id, requester(request), request.body.reason ?? 'cleared through the API');
    if (!cleared) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'alarm', name: id });
    request.log.info({ alarm: id, by: request.principal?.name }, 'alarm cleared');
    return reply.code(204).send();
  });
}
