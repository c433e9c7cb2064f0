import type { AssignmentRecord, ChannelSpecT, ConfigSnapshot, DataSourceSpecT, PermitRecord, SelectAssignmentRecord } from '../../../shared/cluster/model.ts';
import type { ClusterView } from '../../../node/cluster/index.ts';

/** A cluster view of one channel `c1` with one pipeline `p1` from `src` to `dst`. */
export function dataSource(groupKey: string, port: number): DataSourceSpecT {
  return { groupKey, dc: 'dc1', master: { host: '127.0.0.1', port }, standby: { host: '127.0.0.2', port }, active: 'master', user: 'ferry', password: 'secret' };
}

export function channel(name: string, pipelines: string[], tables = ['shop.*']): ChannelSpecT {
  return { name, pipelines: pipelines.map((pipeline) => ({ name: pipeline, source: 'src', target: 'dst', tables })) };
}

export function snapshot(epoch = 1, channels: ChannelSpecT[] = [channel('c1', ['p1'])]): ConfigSnapshot {
  return {
    epoch,
    dataSources: { src: dataSource('src', 3306), dst: dataSource('dst', 3307) },
    channels: Object.fromEntries(channels.map((c) => [c.name, c])),
  };
}

export function assignment(pipeline: string, node: string, epoch: number, channelName = 'c1'): AssignmentRecord {
  return { pipeline, channel: channelName, node, epoch, state: 'pending', at: '2026-01-01T00:00:00.000Z' };
}

export function permit(status: PermitRecord['status']): PermitRecord {
  return { status, by: 'test', at: '2026-01-01T00:00:00.000Z' };
}

export function view(parts: { snapshot?: ConfigSnapshot; assignments?: AssignmentRecord[]; selectAssignments?: SelectAssignmentRecord[]; permits?: Record<string, PermitRecord> } = {}): ClusterView {
  return {
    snapshot: parts.snapshot ?? snapshot(),
    assignments: Object.fromEntries((parts.assignments ?? [assignment('p1', 'n1', 1)]).map((record) => [record.pipeline, { record, version: 0 }])),
    selectAssignments: Object.fromEntries((parts.selectAssignments ?? []).map((record) => [record.pipeline, { record, version: 0 }])),
    permits: parts.permits ?? { c1: permit('START') },
  };
}
