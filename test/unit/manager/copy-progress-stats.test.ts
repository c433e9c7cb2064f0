import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { StatsReport } from '../../../manager/api/schemas.ts';
import { channelView } from '../../../manager/api/views.ts';
import { statsRecord } from '../../../node/cluster/stats-record.ts';
import type { CopyProgress, PipelineStatus } from '../../../node/pipeline/progress.ts';
import type { AssignmentRecord, ChannelSpecT, PipelineStatsRecord } from '../../../shared/cluster/model.ts';

/** An online copy's figures from a node to the channel view: the record, the manager's wire schema, the view. */

const now = new Date('2026-12-07T12:00:00.000Z');
const copy: CopyProgress = {
  mode: 'initial', phase: 'copying', table: 'shop.orders', tablesDone: 1, tables: 3, rowsCopied: 12_000, estimatedRows: 40_000,
  percent: 30, rowsPerSecond: 4_000, etaSeconds: 7, startedAt: now.getTime() - 3_000,
};
const status: PipelineStatus = { state: 'running', position: { file: 'mysql-bin.000001', pos: 400, gtidSet: '0-1-9' }, lagMs: 3_000, applyDelayMs: 5, rowsPerSecond: 4_000, rowsApplied: 12_000, transactionsApplied: 0, copy };

describe('copy progress in the stats record', () => {
  it('carries the copy of a pipeline copying, and none outside a copy', () => {
    const record = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 2, status, now });
    expect(record.copy).toEqual(copy);
    const { copy: _none, ...streaming } = status;
    expect(statsRecord({ pipeline: 'p1', node: 'n1', epoch: 2, status: streaming, now })).not.toHaveProperty('copy');
  });

  it('is a record the manager admits (its schema refuses a whole report on one bad field)', () => {
    const record = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 2, status, now });
    expect(Value.Check(StatsReport, { node: 'n1', stats: [record] })).toBe(true);
    const replaying = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 2, status: { ...status, copy: { ...copy, phase: 'replaying', table: undefined, percent: 100, etaSeconds: 0 } }, now });
    expect(Value.Check(StatsReport, { node: 'n1', stats: [replaying] })).toBe(true);
    // Out-of-range figures are bounded by the node, never sent for the manager to refuse.
    const odd = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 2, status: { ...status, copy: { ...copy, rowsPerSecond: -3, etaSeconds: -1, percent: null, table: `s.${'t'.repeat(300)}` } }, now });
    expect(odd.copy).toMatchObject({ rowsPerSecond: 0, etaSeconds: 0, percent: null });
    expect(Value.Check(StatsReport, { node: 'n1', stats: [odd] })).toBe(true);
  });
});

describe('copy progress in the channel view', () => {
  const spec = { name: 'c1', pipelines: [{ name: 'p1', source: 'src', target: 'dst', tables: ['shop.*'], initialCopy: true }] } as unknown as ChannelSpecT;
  const assignment: AssignmentRecord = { pipeline: 'p1', channel: 'c1', node: 'n1', epoch: 2, state: 'done', at: now.toISOString() };
  const stored = <T>(value: T) => ({ value, version: 0 });
  const view = (stats: PipelineStatsRecord | undefined, assigned: AssignmentRecord = assignment) => channelView({ value: spec, version: 1 }, {
    permits: new Map(),
    assignments: new Map([['p1', stored(assigned)]]),
    stats: new Map(stats === undefined ? [] : [['p1', stats]]),
  }).pipelines[0]!;

  it('shows the assigned node\'s copy per pipeline, null outside a copy', () => {
    const record = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 2, status, now });
    expect(view(record).copy).toEqual(copy);
    const { copy: _none, ...streaming } = record;
    expect(view(streaming).copy).toBeNull();
    expect(view(undefined).copy).toBeNull();
  });

  it('ignores a copy a previous assignment reported: it may have ended since', () => {
    const record = statsRecord({ pipeline: 'p1', node: 'n1', epoch: 2, status, now });
    expect(view(record, { ...assignment, node: 'n2', epoch: 3 }).copy).toBeNull();
  });
});
