import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DataSourceSpec, type DataSourceSpecT } from '../../../shared/cluster/model.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { createDataSource, dataSourceView, deleteDataSource, replaceDataSource, switchDataSource } from '../../config/datasource-edits.ts';
import { API, docs, expectedVersion, type ApiContext } from '../context.ts';
import { DataSourceReplacement, GroupKeyParams, SwitchBody, VersionQuery, type DataSourceReplacementT, type SwitchBodyT } from '../schemas.ts';

const noKey = () => undefined;

type GroupKey = { Params: { groupKey: string } };
const tag = 'data sources';

/** /api/v1/datasources: the databases pipelines name by groupKey. Passwords go in, never out. */
export function dataSourceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(`${API}/datasources`, {
    config: { action: 'read' },
    schema: docs(tag, 'List data sources'),
  }, async () => {
    const snapshot = await ctx.store().read();
    return Object.values(snapshot.dataSources).map(dataSourceView).sort((a, b) => a.groupKey.localeCompare(b.groupKey));
  });

  app.post(`${API}/datasources`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Create a data source'), body: Type.Ref(DataSourceSpec) },
  }, async (request, reply) => {
    const view = await createDataSource(ctx.store(), request.body as DataSourceSpecT, ctx.secrets ?? noKey);
    return reply.code(201).header('etag', `"${view.version}"`).send(view);
  });

  app.get<GroupKey>(`${API}/datasources/:groupKey`, {
    config: { action: 'read' },
    schema: { ...docs(tag, 'Get a data source (never its password)'), params: GroupKeyParams },
  }, async (request, reply) => {
    const { groupKey } = request.params;
    const found = (await ctx.store().read()).dataSources[groupKey];
    if (!found) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'data source', name: groupKey });
    return reply.header('etag', `"${found.version}"`).send(dataSourceView(found));
  });

  app.put<GroupKey>(`${API}/datasources/:groupKey`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Replace a data source (password and active kept when left out; If-Match: version)'), params: GroupKeyParams, querystring: VersionQuery, body: Type.Ref(DataSourceReplacement) },
  }, async (request, reply) => {
    const view = await replaceDataSource(ctx.store(), request.params.groupKey, request.body as DataSourceReplacementT, ctx.secrets ?? noKey, expectedVersion(request));
    return reply.header('etag', `"${view.version}"`).send(view);
  });

  app.delete<GroupKey>(`${API}/datasources/:groupKey`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Delete a data source no pipeline uses (If-Match: version)'), params: GroupKeyParams, querystring: VersionQuery },
  }, async (request, reply) => {
    await deleteDataSource(ctx.store(), request.params.groupKey, expectedVersion(request));
    return reply.code(204).send();
  });

  app.post<GroupKey>(`${API}/datasources/:groupKey/switch`, {
    config: { action: 'datasource.switch' },
    schema: { ...docs(tag, 'Switch the active server between master and standby'), params: GroupKeyParams, body: Type.Ref(SwitchBody) },
  }, async (request, reply) => {
    const view = await switchDataSource(ctx.store(), request.params.groupKey, (request.body as SwitchBodyT).to);
    request.log.info({ groupKey: view.groupKey, active: view.active, by: request.principal?.name }, 'data source switched');
    return reply.header('etag', `"${view.version}"`).send(view);
  });
}
