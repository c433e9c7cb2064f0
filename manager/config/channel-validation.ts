import type { ChannelSpecT, ConfigSnapshot, DataSourceSpecT } from '../../shared/cluster/model.ts';
import { resolveClusterPipeline, storedPassword } from '../../shared/cluster/resolve-cluster-pipeline.ts';
import { defaultServerId } from '../../shared/config/load-pipeline-config.ts';
import { describeEndpoint } from '../../shared/config/mysql-url.ts';
import type { ConfigProblem } from '../../shared/config/pipeline-spec.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import { checkTableRules } from '../../shared/model/table-mapping.ts';
import { mirrorProblems } from './channel-mirror.ts';

/**
 * What the schema cannot see in a channel: references to data sources, pipeline names that
 * must be unique in the whole cluster, a pipeline that would write into its own source, and
 * whatever resolvePipeline (the same check `ferry run` makes) refuses. Every problem at once,
 * as JSON pointers into the channel body.
 */

/** The server a data source's pipelines use now. */
export function activeServer(dataSource: DataSourceSpecT): { host: string; port: number } {
  return dataSource.active === 'standby' && dataSource.standby ? dataSource.standby : dataSource.master;
}

function sameServer(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}

/**
 * Problems of `channel` against the rest of the configuration. `others` must not contain the
 * channel itself (for a replacement, leave the stored version out).
 */
export function channelProblems(channel: ChannelSpecT, others: ConfigSnapshot): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // One problem per field: none under a path already reported. A set of paths, looked up for
  // each ancestor, keeps this linear in the problems (thousands of bad rules).
  const reported = new Set<string>();
  const add = (problem: ConfigProblem) => {
    const segments = problem.path.split('/');
    for (let depth = 1; depth <= segments.length; depth += 1) if (reported.has(segments.slice(0, depth).join('/'))) return;
    reported.add(problem.path);
    problems.push(problem);
  };
  const usedBy = new Map<string, string>();
  for (const other of Object.values(others.channels)) for (const p of other.pipelines) usedBy.set(p.name, other.name);
  // Two binlog readers of one source with the same server id keep disconnecting each other.
  const readers = new Map<string, string>();
  const readerKey = (p: ChannelSpecT['pipelines'][number]) => `${p.source}\u0000${p.serverId ?? defaultServerId(p.name)}`;
  for (const other of Object.values(others.channels)) for (const p of other.pipelines) readers.set(readerKey(p), p.name);
  const snapshot: ConfigSnapshot = { ...others, channels: { ...others.channels, [channel.name]: channel } };
  // First, so that what resolvePipeline repeats of it per pipeline is not said twice.
  for (const problem of mirrorProblems(channel)) add(problem);

  channel.pipelines.forEach((pipeline, i) => {
    const at = `/pipelines/${i}`;
    const first = channel.pipelines.findIndex((p) => p.name === pipeline.name);
    if (first !== i) add({ path: `${at}/name`, message: `pipeline name '${pipeline.name}' is already used by pipeline ${first} of this channel` });
    const owner = usedBy.get(pipeline.name);
    if (owner !== undefined) add({ path: `${at}/name`, message: `pipeline name '${pipeline.name}' is already used by channel '${owner}' (pipeline names are unique in the cluster)` });

    const source = others.dataSources[pipeline.source];
    const target = others.dataSources[pipeline.target];
    if (!source) add({ path: `${at}/source`, message: `unknown data source '${pipeline.source}'` });
    if (!target) add({ path: `${at}/target`, message: `unknown data source '${pipeline.target}'` });
    if (pipeline.source === pipeline.target) {
      add({ path: `${at}/target`, message: `is the same data source as the source ('${pipeline.source}'); a pipeline cannot replicate a database onto itself` });
    } else if (source && target && sameServer(activeServer(source), activeServer(target))) {
      add({ path: `${at}/target`, message: `'${pipeline.target}' is the same database server (${describeEndpoint(activeServer(target))}) as the source '${pipeline.source}'` });
    }
    const reader = readers.get(readerKey(pipeline));
    if (reader !== undefined && reader !== pipeline.name) {
      add({ path: `${at}/serverId`, message: `pipeline '${reader}' already reads '${pipeline.source}' as server id ${pipeline.serverId ?? defaultServerId(pipeline.name)}; give each reader of a source its own serverId` });
    }
    readers.set(readerKey(pipeline), pipeline.name);
    for (const problem of checkTableRules(pipeline.tables, { path: `${at}/tables`, ...(pipeline.systemSchema === undefined ? {} : { systemSchema: pipeline.systemSchema }) })) add(problem);

    if (!source || !target || first !== i) return;
    try {
      resolveClusterPipeline(snapshot, pipeline.name, 0, storedPassword);
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_CONFIG_INVALID')) throw error;
      for (const problem of (error.details.errors ?? []) as ConfigProblem[]) add(resolvedProblem(problem, at, pipeline.source, pipeline.target));
    }
  });
  return problems;
}

/** A problem of the resolved pipeline, pointed back at the channel body. */
function resolvedProblem(problem: ConfigProblem, at: string, source: string, target: string): ConfigProblem {
  // Endpoints come from data sources: name the data source, point at the pipeline's groupKey.
  for (const [side, groupKey] of [['source', source], ['target', target]] as const) {
    if (problem.path === `/${side}` || problem.path.startsWith(`/${side}/`)) {
      return { path: `${at}/${side}`, message: `data source '${groupKey}'${problem.path.slice(side.length + 1)}: ${problem.message}` };
    }
  }
  // The channel's bidirectional field sets the pipeline's: point at the channel's.
  if (problem.path === '/bidirectional' || problem.path.startsWith('/bidirectional/')) return problem;
  return { path: `${at}${problem.path}`, message: problem.message };
}

/**
 * Pipelines that an edit of data source `groupKey` would turn into a database replicating onto
 * itself (its active server now equal to the other side's), as problems of the edit.
 */
export function selfReplicationProblems(snapshot: ConfigSnapshot, groupKey: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const channel of Object.values(snapshot.channels)) {
    for (const pipeline of channel.pipelines) {
      if (pipeline.source !== groupKey && pipeline.target !== groupKey) continue;
      const source = snapshot.dataSources[pipeline.source];
      const target = snapshot.dataSources[pipeline.target];
      if (source && target && pipeline.source !== pipeline.target && sameServer(activeServer(source), activeServer(target))) {
        problems.push({ path: '', message: `pipeline '${pipeline.name}' of channel '${channel.name}' would read and write the same database server (${describeEndpoint(activeServer(source))})` });
      }
    }
  }
  return problems;
}
