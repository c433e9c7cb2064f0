import { describe, expect, it } from 'vitest';
import type { ChannelSpecT, SelectAssignmentRecord } from '../../../shared/cluster/model.ts';
import { planAssignments, type SchedulerState } from '../../../manager/scheduler/assignment-plan.ts';
import { leastLoadedPolicy } from '../../../manager/scheduler/policies/least-loaded.ts';
import { assigned, node, pipe, state } from './scheduler-fixtures.ts';

/** Split placement: source a in dc1, target b in dc2 (the fixtures' data sources). */

const plan = (s: SchedulerState) => planAssignments(s, leastLoadedPolicy());
const channel = (placement?: Parameters<typeof pipe>[1] & { split?: 'auto' | 'never' }): ChannelSpecT => ({ name: 'c', pipelines: [{ ...pipe('p1'), ...(placement ? { placement } : {}) }] });
const pipeOf = (address: string) => ({ pipe: { address, tls: true } });
const src1 = node('s1', { dc: 'dc1' });
const src2 = node('s2', { dc: 'dc1' });
const tgt1 = node('t1', { dc: 'dc2', ...pipeOf('t1:9000') });
const tgt2 = node('t2', { dc: 'dc2', ...pipeOf('t2:9000') });
const plainTgt = node('t3', { dc: 'dc2' });

/** The two records of p1 split: load on `load` at epoch 10 (version 4), select on `select` at 11 (version 2). */
function splitRecords(load: string, select: string, extra: { address?: string } = {}) {
  const loadRecord = assigned('p1', load, 10, 4, { pipe: { secret: 'sealed', selectNode: select, selectEpoch: 11 } });
  const selectRecord: SelectAssignmentRecord = { pipeline: 'p1', channel: 'c', node: select, epoch: 11, state: 'acked', at: '', pipe: { secret: 'sealed', loadNode: load, address: extra.address ?? `${load}:9000`, tls: true, loadEpoch: 10 } };
  return { assignments: [loadRecord], selectAssignments: new Map([['p1', { value: selectRecord, version: 2 }]]) };
}

const splitState = (channels: ChannelSpecT[], nodes: Parameters<typeof state>[2], records?: ReturnType<typeof splitRecords>, extra: Partial<SchedulerState> = {}, status: 'START' | 'STOP' = 'START') =>
  state(channels, { c: status }, nodes, records?.assignments ?? [], { canSplit: true, ...(records ? { selectAssignments: records.selectAssignments } : {}), ...extra });

describe('split placement', () => {
  it('splits a new pipeline across datacenters: load on a pipe-capable node of the target DC, select on a node of the source DC', () => {
    const result = plan(splitState([channel()], [src1, plainTgt, tgt1]));
    expect(result.assign).toEqual([]);
    expect(result.select?.splits).toEqual([{ pipeline: 'p1', channel: 'c', load: { node: 't1', reason: 'new' }, select: { node: 's1', reason: 'new' }, endpoint: { address: 't1:9000', tls: true } }]);
  });

  it('places the pipeline whole, as before, when the data sources share a datacenter', () => {
    const result = plan({ ...splitState([channel()], [src1, tgt1]), dataSources: { a: { dc: 'dc2' }, b: { dc: 'dc2' } } });
    expect(result.assign).toEqual([{ pipeline: 'p1', channel: 'c', node: 's1', reason: 'new' }]);
    expect(result.select).toBeUndefined();
  });

  it("places the pipeline whole with placement.split 'never'", () => {
    const result = plan(splitState([channel({ split: 'never' })], [src1, tgt1]));
    expect(result.assign.map((a) => a.node)).toEqual(['s1']);
    expect(result.select).toBeUndefined();
  });

  it('places the pipeline whole when no node of the target DC has a pipe server, or no node is in the source DC', () => {
    expect(plan(splitState([channel()], [src1, plainTgt])).select).toBeUndefined();
    const noSource = plan(splitState([channel()], [tgt1, plainTgt]));
    expect(noSource.select).toBeUndefined();
    expect(noSource.assign.map((a) => a.node)).toEqual(['t1']);
  });

  it('places the pipeline whole when the manager has no key to seal a pipe secret', () => {
    const result = plan(splitState([channel()], [src1, tgt1], undefined, { canSplit: false }));
    expect(result.assign.map((a) => a.node)).toEqual(['s1']);
    expect(result.select).toBeUndefined();
  });

  it('respects placement.dcs and placement.nodes on each side', () => {
    expect(plan(splitState([channel({ dcs: ['dc2'] })], [src1, tgt1])).select).toBeUndefined();
    const pinned = plan(splitState([channel({ nodes: ['s2', 't2'] })], [src1, src2, tgt1, tgt2]));
    expect(pinned.select?.splits.map((s) => [s.select.node, s.load.node])).toEqual([['s2', 't2']]);
  });

  it('leaves an intact split alone, and marks acked sides done', () => {
    const result = plan(splitState([channel()], [src1, tgt1], splitRecords('t1', 's1')));
    expect(result.assign).toEqual([]);
    expect(result.done).toEqual([{ pipeline: 'p1', version: 4 }]);
    expect(result.select).toEqual({ splits: [], remove: [], done: [{ pipeline: 'p1', version: 2 }] });
  });

  it('keeps the sides of a vanished node within its protection period', () => {
    const result = plan(splitState([channel()], [src2, tgt1], splitRecords('t1', 's1'), { protectedNodes: new Set(['s1']) }));
    expect(result.select?.splits ?? []).toEqual([]);
  });

  it('moves only the select side off a lost node: the load side keeps its epoch (the fence is its own)', () => {
    const result = plan(splitState([channel()], [src2, tgt1], splitRecords('t1', 's1')));
    expect(result.select?.splits).toEqual([{
      pipeline: 'p1', channel: 'c',
      load: { node: 't1', previous: { version: 4, epoch: 10, node: 't1' } },
      select: { node: 's2', reason: 'node s1 is gone', previous: { version: 2, epoch: 11, node: 's1' }, previousNode: 's1' },
      endpoint: { address: 't1:9000', tls: true },
    }]);
    expect(result.done).toEqual([]);
  });

  it('moves only the load side off a lost node, to another pipe-capable node of the target DC', () => {
    const result = plan(splitState([channel()], [src1, plainTgt, tgt2], splitRecords('t1', 's1')));
    const [split] = result.select?.splits ?? [];
    expect(split?.load).toEqual({ node: 't2', reason: 'node t1 is gone', previous: { version: 4, epoch: 10, node: 't1' }, previousNode: 't1' });
    expect(split?.select).toEqual({ node: 's1', previous: { version: 2, epoch: 11, node: 's1' } });
    expect(split?.endpoint).toEqual({ address: 't2:9000', tls: true });
  });

  it('leaves a side unplaced (records as they are) when its datacenter has no node for it', () => {
    const result = plan(splitState([channel()], [tgt1], splitRecords('t1', 's1')));
    expect(result.unplaced).toEqual([{ pipeline: 'p1', channel: 'c' }]);
    expect(result.select?.splits ?? []).toEqual([]);
    expect(result.assign).toEqual([]);
  });

  it('rewrites both records, moving nothing, when the load node advertises another pipe address', () => {
    const result = plan(splitState([channel()], [src1, tgt1], splitRecords('t1', 's1', { address: 'old:1' })));
    const [split] = result.select?.splits ?? [];
    expect(split?.load.reason).toBeUndefined();
    expect(split?.select.reason).toBeUndefined();
    expect(split?.endpoint).toEqual({ address: 't1:9000', tls: true });
  });

  it('removes both records when the channel is STOP', () => {
    const result = plan(splitState([channel()], [src1, tgt1], splitRecords('t1', 's1'), {}, 'STOP'));
    expect(result.remove).toEqual([{ pipeline: 'p1', version: 4, reason: 'channel c is STOP' }]);
    expect(result.select?.remove).toEqual([{ pipeline: 'p1', version: 2, reason: 'channel c is STOP' }]);
  });

  it("places a split pipeline whole again when split becomes 'never'", () => {
    const result = plan(splitState([channel({ split: 'never' })], [src1, tgt1], splitRecords('t1', 's1')));
    expect(result.select?.remove).toEqual([{ pipeline: 'p1', version: 2, reason: 'the pipeline runs whole' }]);
    expect(result.assign).toHaveLength(1);
    expect(result.assign[0]).toMatchObject({ pipeline: 'p1', previous: { version: 4, epoch: 10 } });
  });

  it('does not split a pipeline that runs whole until it moves; when it moves, it is split', () => {
    const whole = [assigned('p1', 's1', 5, 1)];
    expect(plan(state([channel()], { c: 'START' }, [src1, tgt1], whole, { canSplit: true }))).toEqual({ assign: [], remove: [], done: [{ pipeline: 'p1', version: 1 }], unplaced: [] });
    const moved = plan(state([channel()], { c: 'START' }, [src2, tgt1], whole, { canSplit: true }));
    expect(moved.assign).toEqual([]);
    expect(moved.select?.splits.map((s) => [s.select.node, s.load.node, s.load.reason, s.load.previous?.epoch])).toEqual([['s2', 't1', 'node s1 is gone', 5]]);
  });

  it('counts both sides towards node capacity', () => {
    const full = node('s1', { dc: 'dc1', capacity: { pipelines: 1 } });
    const two: ChannelSpecT = { name: 'c', pipelines: [pipe('p1'), pipe('p2')] };
    const records = splitRecords('t1', 's1');
    const result = plan(splitState([two], [full, tgt1], records));
    // s1 carries p1's select side: p2 cannot split, so it runs whole on t1.
    expect(result.select?.splits ?? []).toEqual([]);
    expect(result.assign.map((a) => [a.pipeline, a.node])).toEqual([['p2', 't1']]);
  });
});
