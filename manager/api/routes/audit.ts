import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NAME_PATTERN } from '../../../shared/cluster/model.ts';
import type { ConfigProblem } from '../../../shared/config/pipeline-spec.ts';
import { listAuditEntries, type AuditQuery } from '../../audit/index.ts';
import { badRequest } from '../../config/bad-request.ts';
import { API, docs, type ApiContext } from '../context.ts';

/** Query strings are not coerced: numbers come as digits; times are checked in the handler. */
const AuditQueryString = Type.Object({
  by: Type.Optional(Type.String({ pattern: NAME_PATTERN, description: 'Only requests made with the token of this name.' })),
  method: Type.Optional(Type.Union(['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'HEAD', 'OPTIONS'].map((m) => Type.Literal(m)), { description: 'Only requests of this method (GET appears only for failed sign-ins).' })),
  path: Type.Optional(Type.String({ pattern: '^/', maxLength: 500, description: 'Only requests whose path starts with this, e.g. /api/v1/channels/shop.' })),
  status: Type.Optional(Type.String({ pattern: '^([1-5][0-9][0-9]|[1-5]xx)$', description: 'Only answers with this status (409) or class (4xx).' })),
  since: Type.Optional(Type.String({ maxLength: 40, description: 'Only requests received at or after this ISO 8601 time.' })),
  until: Type.Optional(Type.String({ maxLength: 40, description: 'Only requests received before this ISO 8601 time.' })),
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$', description: 'At most this many entries, 1 to 1000. Default 100.' })),
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', description: 'Only entries with a smaller id: the `next` of the previous page.' })),
}, { additionalProperties: false });
type AuditQueryStringT = Static<typeof AuditQueryString>;

/** An ISO 8601 date-time with a zone or a date, as milliseconds; a problem otherwise. */
function isoTime(value: string | undefined, field: string, problems: ConfigProblem[]): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) problems.push({ path: `querystring:/${field}`, message: 'must be an ISO 8601 time such as 2026-12-07T20:00:00Z, or a date' });
  return Number.isNaN(ms) ? undefined : ms;
}

/** The route's query as the audit log's filters; FERRY_ERR_API_BAD_REQUEST listing every problem. */
export function auditQuery(query: AuditQueryStringT): AuditQuery {
  const problems: ConfigProblem[] = [];
  const sinceMs = isoTime(query.since, 'since', problems);
  const untilMs = isoTime(query.until, 'until', problems);
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs) problems.push({ path: 'querystring:/until', message: 'must be later than since' });
  if (problems.length > 0) throw badRequest(problems);
  const { status } = query;
  return {
    limit: query.limit === undefined ? 100 : Number(query.limit),
    ...(query.before === undefined ? {} : { before: Number(query.before) }),
    ...(query.by === undefined ? {} : { by: query.by }),
    ...(query.method === undefined ? {} : { method: query.method }),
    ...(query.path === undefined ? {} : { pathPrefix: query.path }),
    ...(status === undefined ? {} : { status: status.endsWith('xx') ? { hundreds: Number(status[0]) } : { exact: Number(status) } }),
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(untilMs === undefined ? {} : { untilMs }),
  };
}

/** GET /api/v1/audit (admin): every API write and failed sign-in, newest first, in pages. */
export function auditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: AuditQueryStringT }>(`${API}/audit`, {
    config: { action: 'audit.read' },
    schema: { ...docs('audit', 'The audit log: API writes and failed sign-ins, newest first (ordered by ZooKeeper\'s sequence)'), querystring: AuditQueryString },
  }, (request) => listAuditEntries(ctx.zk(), auditQuery(request.query)));
}
