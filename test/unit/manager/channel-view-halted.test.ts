import { describe, expect, it } from 'vitest';
import { channelView } from '../../../manager/api/views.ts';
import type { AssignmentRecord, ChannelSpecT, ChannelStatusT, PipelineStatsRecord } from '../../../shared/cluster/model.ts';

/** A paused or stopped channel's pipelines: the nodes stop reporting, so their last report is stale. */
describe('the channel view of a paused or stopped channel', () => {
  const at = '2026-12-07T12:00:00.000Z';
  const spec = { name: 'c1', pipelines: [{ name: 'p1', source: 'src', target: 'dst', tables: ['shop.*'] }] } as unknown as ChannelSpecT;
  const assignment: AssignmentRecord = { pipeline: 'p1', channel: 'c1', node: 'n1', epoch: 2, state: 'acked', at };
  const stats = (state: string): PipelineStatsRecord => ({ pipeline: 'p1', node: 'n1', epoch: 2, state, position: '0-1-9', lagMs: 0, rowsPerSecond: 0, at });
  const stateOf = (status: ChannelStatusT, reported: string | undefined, assigned: AssignmentRecord | undefined = assignment) => channelView({ value: spec, version: 1 }, {
    permits: new Map([['c1', { value: { channel: 'c1', status, by: 'api:t', at }, version: 0 }]]),
    assignments: new Map(assigned === undefined ? [] : [['p1', { value: assigned, version: 0 }]]),
    stats: new Map(reported === undefined ? [] : [['p1', stats(reported)]]),
  }).pipelines[0]!.state;

  it('shows paused where the last report says running, starting or retrying', () => {
    for (const reported of ['running', 'starting', 'retrying']) expect(stateOf('PAUSE', reported)).toBe('paused');
    expect(stateOf('PAUSE', undefined)).toBe('paused');
  });

  it('shows stopped for a stopped channel, also once its assignment is gone', () => {
    expect(stateOf('STOP', 'running')).toBe('stopped');
    expect(stateOf('STOP', 'running', undefined)).toBe('stopped');
  });

  it('keeps a failure, and what a started channel reports', () => {
    expect(stateOf('PAUSE', 'failed')).toBe('failed');
    expect(stateOf('START', 'running')).toBe('running');
    expect(stateOf('START', undefined)).toBe('assigned');
  });
});
