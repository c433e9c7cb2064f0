import { resolvePipeline, type RuntimePipeline } from '../config/load-pipeline-config.ts';
import { FerryError } from '../errors/index.ts';
import type { ChannelPipelineSpecT, ChannelSpecT, ConfigSnapshot, DataSourceSpecT } from './model.ts';

/**
 * A channel's pipeline as the node runs it: groupKeys replaced by the active server of each
 * data source, and the assignment's epoch for fencing. Goes through the same resolvePipeline
 * as `ferry run`, so the cluster never runs a pipeline that one-process mode would refuse.
 */
export function resolveClusterPipeline(snapshot: ConfigSnapshot, pipelineName: string, epoch: number): RuntimePipeline {
  const found = findPipeline(snapshot, pipelineName);
  if (!found) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'pipeline', name: pipelineName });
  const { pipeline } = found;
  const source = endpointOf(snapshot, pipeline.source);
  const target = endpointOf(snapshot, pipeline.target);
  const { placement: _placement, source: _source, target: _target, ...rest } = pipeline;
  return resolvePipeline({ ...rest, source, target, epoch });
}

export function findPipeline(snapshot: ConfigSnapshot, pipelineName: string): { channel: ChannelSpecT; pipeline: ChannelPipelineSpecT } | undefined {
  for (const channel of Object.values(snapshot.channels)) {
    const pipeline = channel.pipelines.find((p) => p.name === pipelineName);
    if (pipeline) return { channel, pipeline };
  }
  return undefined;
}

function endpointOf(snapshot: ConfigSnapshot, groupKey: string) {
  const dataSource: DataSourceSpecT | undefined = snapshot.dataSources[groupKey];
  if (!dataSource) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'data source', name: groupKey });
  const server = dataSource.active === 'standby' && dataSource.standby ? dataSource.standby : dataSource.master;
  const { sslMode, sslCa, sslCert, sslKey } = dataSource;
  const tls = { ...(sslMode === undefined ? {} : { sslMode }), ...(sslCa === undefined ? {} : { sslCa }), ...(sslCert === undefined ? {} : { sslCert }), ...(sslKey === undefined ? {} : { sslKey }) };
  return { host: server.host, port: server.port, user: dataSource.user, password: dataSource.password, ...tls };
}
