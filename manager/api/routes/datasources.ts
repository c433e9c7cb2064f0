import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EventLog } from '../../../shared/cluster/event-log.ts';
import { DataSourceSpec, type DataSourceSpecT, type DataSourceView } from '../../../shared/cluster/model.ts';
import { zkPaths } from '../../../shared/cluster/zk-paths.ts';
import { FerryError, isFerryError } from '../../../shared/errors/index.ts';
import { createDataSource, dataSourceView, deleteDataSource, replaceDataSource, switchDataSource } from '../../config/datasource-edits.ts';
import { healthView, readHealth } from '../../health-view.ts';
import { switchReadiness, type SwitchReadiness } from '../../switch-readiness.ts';
import { API, docs, editContext, expectedVersion, requester, type ApiContext } from '../context.ts';
import { DataSourceReplacement, GroupKeyParams, SwitchBody, SwitchReadinessQuery, VersionQuery, type DataSourceReplacementT, type SwitchBodyT, type SwitchReadinessQueryT } from '../schemas.ts';

const noKey = () => undefined;

type GroupKey = { Params: { groupKey: string } };
const tag = 'data sources';

/**
 * /api/v1/datasources: the databases pipelines name by groupKey. Passwords go in, never out.
 * Each view carries `health`, as a node of the data source's datacenter last measured it.
 */
export function dataSourceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // Every data source view the API returns carries its health, so that all answers have one shape.
  const withHealth = async (view: DataSourceView) => ({ ...view, health: healthView(await readHealth(ctx.zk(), view.groupKey), Date.now()) });
  /** The readiness of `to` (default: the member not active), with the spec it was judged on. */
  const readinessOf = async (groupKey: string, to?: 'master' | 'standby'): Promise<{ spec: DataSourceSpecT; readiness: SwitchReadiness }> => {
    const found = (await ctx.store().read()).dataSources[groupKey];
    if (!found) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'data source', name: groupKey });
    const member = to ?? (found.value.active === 'standby' ? 'master' : 'standby');
    return { spec: found.value, readiness: switchReadiness(found.value, member, await readHealth(ctx.zk(), groupKey), Date.now()) };
  };

  app.get(`${API}/datasources`, {
    config: { action: 'read' },
    schema: docs(tag, 'List data sources, each with the health of its members'),
  }, async () => {
    const snapshot = await ctx.store().read();
    const views = await Promise.all(Object.values(snapshot.dataSources).map((found) => withHealth(dataSourceView(found))));
    return views.sort((a, b) => a.groupKey.localeCompare(b.groupKey));
  });

  app.post(`${API}/datasources`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Create a data source'), body: Type.Ref(DataSourceSpec) },
  }, async (request, reply) => {
    const view = await createDataSource(editContext(ctx), request.body as DataSourceSpecT, ctx.secrets ?? noKey, { by: requester(request) });
    return reply.code(201).header('etag', `"${view.version}"`).send(await withHealth(view));
  });

  app.get<GroupKey>(`${API}/datasources/:groupKey`, {
    config: { action: 'read' },
    schema: { ...docs(tag, 'Get a data source with the health of its members (never its password)'), params: GroupKeyParams },
  }, async (request, reply) => {
    const { groupKey } = request.params;
    const found = (await ctx.store().read()).dataSources[groupKey];
    if (!found) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'data source', name: groupKey });
    return reply.header('etag', `"${found.version}"`).send(await withHealth(dataSourceView(found)));
  });

  app.put<GroupKey>(`${API}/datasources/:groupKey`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Replace a data source (password and active kept when left out; If-Match: version)'), params: GroupKeyParams, querystring: VersionQuery, body: Type.Ref(DataSourceReplacement) },
  }, async (request, reply) => {
    const view = await replaceDataSource(editContext(ctx), request.params.groupKey, request.body as DataSourceReplacementT, ctx.secrets ?? noKey, { by: requester(request) }, expectedVersion(request));
    return reply.header('etag', `"${view.version}"`).send(await withHealth(view));
  });

  app.delete<GroupKey>(`${API}/datasources/:groupKey`, {
    config: { action: 'config.write' },
    schema: { ...docs(tag, 'Delete a data source no pipeline uses (If-Match: version)'), params: GroupKeyParams, querystring: VersionQuery },
  }, async (request, reply) => {
    await deleteDataSource(editContext(ctx), request.params.groupKey, { by: requester(request) }, expectedVersion(request));
    // Its health would linger; a node measuring it right now may write it once more, which is harmless.
    await ctx.zk().remove(zkPaths.dataSourceHealth(request.params.groupKey)).catch((error: unknown) => {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) throw error;
    });
    return reply.code(204).send();
  });

  app.get<GroupKey & { Querystring: SwitchReadinessQueryT }>(`${API}/datasources/:groupKey/switch-readiness`, {
    config: { action: 'read' },
    schema: { ...docs(tag, 'Whether the member would be accepted by a switch without force, and why not (from the latest health)'), params: GroupKeyParams, querystring: SwitchReadinessQuery },
  }, async (request) => (await readinessOf(request.params.groupKey, request.query.to)).readiness);

  app.post<GroupKey>(`${API}/datasources/:groupKey/switch`, {
    config: { action: 'datasource.switch' },
    schema: { ...docs(tag, 'Switch the active server between master and standby: refused when the member is not ready, unless force'), params: GroupKeyParams, body: Type.Ref(SwitchBody) },
  }, async (request, reply) => {
    const { groupKey } = request.params;
    const { to, force = false, reason = 'switch requested through the API' } = request.body as SwitchBodyT;
    const { spec, readiness } = await readinessOf(groupKey, to);
    const { from } = readiness;
    // A data source without a standby is a bad request (switchDataSource says so at /to), not a readiness matter.
    const noStandby = to === 'standby' && spec.standby === undefined;
    if (!noStandby && !readiness.ready && !force) {
      throw new FerryError('FERRY_ERR_SWITCH_NOT_READY', { groupKey, to, detail: readiness.problems.join('; '), readiness });
    }
    const view = await switchDataSource(editContext(ctx), groupKey, to, { by: requester(request) });
    if (from !== to) {
      await new EventLog(ctx.zk(), { log: ctx.log }).append({
        type: 'DATASOURCE_SWITCH',
        by: requester(request),
        reason,
        details: { groupKey, from, to, force, ready: readiness.ready, problems: readiness.problems, warnings: readiness.warnings, behind: readiness.behind?.transactions ?? null },
      });
    }
    request.log.info({ groupKey: view.groupKey, from, active: view.active, force, ready: readiness.ready, by: request.principal?.name }, 'data source switched');
    return reply.header('etag', `"${view.version}"`).send(await withHealth(view));
  });
}
