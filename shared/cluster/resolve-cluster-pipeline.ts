import { resolvePipeline, type RuntimePipeline } from '../config/load-pipeline-config.ts';
import { FerryError } from '../errors/index.ts';
import type { ChannelPipelineSpecT, ChannelSpecT, ConfigSnapshot, DataSourceSpecT } from './model.ts';

/**
 * `passwordOf` turns a data source's stored password into the one to connect with: a node
 * opens the sealed form there (shared/secrets), in memory; checks that connect nowhere keep it.
 */
export type PasswordOf = (dataSource: DataSourceSpecT) => string;
export const storedPassword: PasswordOf = (dataSource) => dataSource.password;

/**
 * A channel's pipeline as the node runs it: groupKeys replaced by the active server of each
 * data source, and the assignment's epoch for fencing. Goes through the same resolvePipeline
 * as `ferry run`, so the cluster never runs a pipeline that one-process mode would refuse.
 */
export function resolveClusterPipeline(snapshot: ConfigSnapshot, pipelineName: string, epoch: number, passwordOf: PasswordOf = storedPassword): RuntimePipeline {
  const found = findPipeline(snapshot, pipelineName);
  if (!found) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'pipeline', name: pipelineName });
  const { pipeline } = found;
  const source = endpointOf(snapshot, pipeline.source, passwordOf);
  const target = endpointOf(snapshot, pipeline.target, passwordOf);
  const { placement: _placement, source: _source, target: _target, ...rest } = pipeline;
  const bidirectional = bidirectionalOf(found.channel, pipeline);
  return resolvePipeline({ ...rest, source, target, epoch, ...(bidirectional === undefined ? {} : { bidirectional }) });
}

/** A pipeline's side of its channel's bidirectional field: the other pipeline is its mirror. */
function bidirectionalOf(channel: ChannelSpecT, pipeline: ChannelPipelineSpecT) {
  const spec = channel.bidirectional;
  const mirror = channel.pipelines.find((other) => other.name !== pipeline.name);
  if (spec === undefined || mirror === undefined) return undefined;
  return {
    mirror: mirror.name,
    primary: pipeline.source === spec.primary,
    conflicts: spec.conflicts ?? 'primary-wins',
    ...(spec.timestampColumn === undefined ? {} : { timestampColumn: spec.timestampColumn }),
  };
}

export function findPipeline(snapshot: ConfigSnapshot, pipelineName: string): { channel: ChannelSpecT; pipeline: ChannelPipelineSpecT } | undefined {
  for (const channel of Object.values(snapshot.channels)) {
    const pipeline = channel.pipelines.find((p) => p.name === pipelineName);
    if (pipeline) return { channel, pipeline };
  }
  return undefined;
}

function endpointOf(snapshot: ConfigSnapshot, groupKey: string, passwordOf: PasswordOf) {
  const dataSource: DataSourceSpecT | undefined = snapshot.dataSources[groupKey];
  if (!dataSource) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'data source', name: groupKey });
  const server = dataSource.active === 'standby' && dataSource.standby ? dataSource.standby : dataSource.master;
  const { sslMode, sslCa, sslCert, sslKey } = dataSource;
  const tls = { ...(sslMode === undefined ? {} : { sslMode }), ...(sslCa === undefined ? {} : { sslCa }), ...(sslCert === undefined ? {} : { sslCert }), ...(sslKey === undefined ? {} : { sslKey }) };
  return { host: server.host, port: server.port, user: dataSource.user, password: passwordOf(dataSource), ...tls };
}
