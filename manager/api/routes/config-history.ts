import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FerryError } from '../../../shared/errors/index.ts';
import { readHistory, type HistoryKind, type HistoryRecord } from '../../config/history.ts';
import { listTokens } from '../../config/token-edits.ts';
import { revertChannel, revertDataSource } from '../../config/revert.ts';
import { healthView, readHealth } from '../../health-view.ts';
import { API, docs, editContext, requester, type ApiContext } from '../context.ts';
import { GroupKeyParams, NameParams, TokenNameParams } from '../schemas.ts';
import { readChannelViews } from '../views.ts';

const strict = { additionalProperties: false } as const;

const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$', description: 'At most this many entries, 1 to 1000, newest first. Default 100.' })),
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$', description: 'Only versions below this one: the last version of a page, for the next page.' })),
}, strict);
type HistoryQueryT = Static<typeof HistoryQuery>;

const DiffItem = Type.Object({
  path: Type.String({ description: "JSON pointer into the spec, such as '/pipelines/0/parallel'." }),
  op: Type.Union([Type.Literal('add'), Type.Literal('remove'), Type.Literal('replace')]),
  from: Type.Optional(Type.Unknown({ description: 'The old value (remove, replace); never given for a secret.' })),
  to: Type.Optional(Type.Unknown({ description: 'The new value (add, replace); never given for a secret.' })),
  secret: Type.Optional(Type.Literal(true, { description: 'A secret (a password) changed: its values are never shown.' })),
});

const HistoryEntry = Type.Object({
  version: Type.Integer({ description: 'The configuration epoch this change produced: unique, and increasing for one entity.' }),
  by: Type.String({ description: "Who changed it: 'api:<token name>'." }),
  at: Type.String({ description: 'When (ISO 8601, the writing manager\'s clock).' }),
  change: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  diff: Type.Array(DiffItem, { description: 'What changed from the previous version; secrets masked.' }),
  revertOf: Type.Optional(Type.Integer({ description: 'The version this change restored, when it was a revert.' })),
  reason: Type.Optional(Type.String({ description: 'Why, as the reverter said.' })),
});

const HistoryAnswer = Type.Object({
  name: Type.String(),
  entries: Type.Array(HistoryEntry, { description: 'Newest first.' }),
});
type HistoryAnswerT = Static<typeof HistoryAnswer>;

const Reason = Type.Optional(Type.String({ maxLength: 1000, description: 'Why, kept with the new version.' }));
const RevertBody = Type.Object({
  version: Type.Integer({ minimum: 0, description: 'The version to restore (from GET .../history).' }),
  reason: Reason,
}, strict);
const DataSourceRevertBody = Type.Object({
  version: Type.Integer({ minimum: 0, description: 'The version to restore (from GET .../history).' }),
  reason: Reason,
  keepPassword: Type.Optional(Type.Boolean({ default: false, description: "Keep the current password instead of the version's (needed when the version's is sealed under a key the managers no longer hold). Default false." })),
}, strict);

const entryView = (r: HistoryRecord): HistoryAnswerT['entries'][number] => ({
  version: r.version, by: r.by, at: r.at, change: r.change, diff: r.diff,
  ...(r.revertOf === undefined ? {} : { revertOf: r.revertOf }), ...(r.reason === undefined ? {} : { reason: r.reason }),
});

/**
 * Configuration history (manager/config/history.ts) of channels, data sources and tokens, and
 * reverts of channels and data sources. History stays readable after the entity is deleted.
 */
export function configHistoryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const answer = async (kind: HistoryKind, what: string, name: string, query: HistoryQueryT): Promise<HistoryAnswerT> => {
    const records = await readHistory(ctx.zk(), kind, name, { limit: query.limit === undefined ? 100 : Number(query.limit), ...(query.before === undefined ? {} : { before: Number(query.before) }) });
    if (records.length === 0 && query.before === undefined) {
      // Known but older than history (made before it existed): an empty list; unknown: 404.
      const snapshot = await ctx.store().read();
      const exists = kind === 'channels' ? snapshot.channels[name] !== undefined
        : kind === 'datasources' ? snapshot.dataSources[name] !== undefined
          : [...(await listTokens(ctx.zk())).values()].some((t) => t.name === name);
      if (!exists) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what, name });
    }
    return { name, entries: records.map(entryView) };
  };
  const response = { 200: HistoryAnswer };

  app.get<{ Params: { name: string }; Querystring: HistoryQueryT }>(`${API}/channels/:name/history`, {
    config: { action: 'read' },
    schema: { ...docs('channels', 'Configuration history of a channel, newest first: who changed what, when (also after it was deleted)'), params: NameParams, querystring: HistoryQuery, response },
  }, (request) => answer('channels', 'channel', request.params.name, request.query));

  app.get<{ Params: { groupKey: string }; Querystring: HistoryQueryT }>(`${API}/datasources/:groupKey/history`, {
    config: { action: 'read' },
    schema: { ...docs('data sources', 'Configuration history of a data source, newest first (a password change shows as changed, never its value)'), params: GroupKeyParams, querystring: HistoryQuery, response },
  }, (request) => answer('datasources', 'data source', request.params.groupKey, request.query));

  app.get<{ Params: { name: string }; Querystring: HistoryQueryT }>(`${API}/tokens/:name/history`, {
    config: { action: 'tokens' },
    schema: { ...docs('tokens', 'History of a token name: created and deleted, with role and node (never the token)'), params: TokenNameParams, querystring: HistoryQuery, response },
  }, (request) => answer('tokens', 'token', request.params.name, request.query));

  app.post<{ Params: { name: string }; Body: Static<typeof RevertBody> }>(`${API}/channels/:name/revert`, {
    config: { action: 'config.write' },
    schema: { ...docs('channels', "Restore a version of a channel's spec (as a PUT would: refused while START); a deleted channel is created again"), params: NameParams, body: RevertBody },
  }, async (request, reply) => {
    const { name } = request.params;
    await revertChannel(editContext(ctx), name, request.body.version, requester(request), request.body.reason);
    request.log.info({ channel: name, version: request.body.version, by: request.principal?.name }, 'channel reverted');
    const view = (await readChannelViews(ctx.zk(), ctx.store(), name))[0]!;
    return reply.header('etag', `"${view.version}"`).send(view);
  });

  app.post<{ Params: { groupKey: string }; Body: Static<typeof DataSourceRevertBody> }>(`${API}/datasources/:groupKey/revert`, {
    config: { action: 'config.write' },
    schema: { ...docs('data sources', 'Restore a version of a data source, keeping the active member (a switch is not reverted); a deleted one is created again'), params: GroupKeyParams, body: DataSourceRevertBody },
  }, async (request, reply) => {
    const { groupKey } = request.params;
    const { version, keepPassword = false, reason } = request.body;
    const view = await revertDataSource(editContext(ctx), groupKey, version, ctx.secrets ?? (() => undefined), requester(request), { keepPassword, ...(reason === undefined ? {} : { reason }) });
    request.log.info({ groupKey, version, keepPassword, by: request.principal?.name }, 'data source reverted');
    return reply.header('etag', `"${view.version}"`).send({ ...view, health: healthView(await readHealth(ctx.zk(), groupKey), Date.now()) });
  });
}
