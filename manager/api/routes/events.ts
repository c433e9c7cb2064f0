import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EventLog } from '../../../shared/cluster/event-log.ts';
import { NAME_PATTERN } from '../../../shared/cluster/model.ts';
import { API, docs, type ApiContext } from '../context.ts';

/** Query strings are not coerced: numbers come as digits. */
const EventsQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$', description: 'At most this many events, 1 to 1000. Default 100.' })),
  channel: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'Only events of this channel.' })),
  type: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z_]{0,39}$', description: 'Only events of this type: WARNING, ROLLBACK, RESTART, START, PAUSE, STOP, NODE_DOWN, NODE_UP, ALARM_RAISED, ALARM_CLEARED, ...' })),
  since: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', description: 'Only events with a greater id (poll for what is new).' })),
}, { additionalProperties: false });
type EventsQueryT = Static<typeof EventsQuery>;

/** GET /api/v1/events: who raised what and why, newest first (ordered by ZooKeeper's sequence, not by clocks). */
export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: EventsQueryT }>(`${API}/events`, {
    config: { action: 'read' },
    schema: { ...docs('arbiter', 'Events, newest first: arbiter actions, channel commands, node liveness, alarms'), querystring: EventsQuery },
  }, (request) => {
    const { limit, channel, type, since } = request.query;
    return new EventLog(ctx.zk()).list({ limit: limit === undefined ? 100 : Number(limit), channel, type, since });
  });
}
