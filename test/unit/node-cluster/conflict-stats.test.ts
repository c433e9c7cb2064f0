import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { PipelineStats } from '../../../manager/api/schemas.ts';
import { statsRecord } from '../../../node/cluster/stats-record.ts';
import { ConflictTracker, RECENT_CONFLICTS } from '../../../node/pipeline/conflict-tracker.ts';
import type { PipelineStatus } from '../../../node/pipeline/progress.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';

const conflict = (n: number, extra: Partial<ConflictRecord> = {}): ConflictRecord => ({
  pipeline: 'a-to-b', table: 'shop.orders', key: { id: n }, kind: 'mismatch',
  incoming: { id: n, note: `from a ${n}` }, current: { id: n, note: `on b ${n}` },
  policy: 'primary-wins', decision: 'applied', position: `0-1-${n}`, at: new Date(Date.UTC(2026, 11, 7, 15, 0, n)).toISOString(), ...extra,
});

/** The manager's own check of a stats report's record. */
const admitted = (status: PipelineStatus) => {
  const record = statsRecord({ pipeline: 'a-to-b', node: 'n1', epoch: 1, status, now: new Date() });
  return { record, ok: Value.Check(PipelineStats, record) };
};

describe('conflicts in the stats record', () => {
  it('starts from what the target recorded, then adds each batch\'s conflicts, newest first, the newest 20 kept', () => {
    const tracker = new ConflictTracker();
    expect(tracker.snapshot()).toBeUndefined();
    // As readRecentConflicts answers: newest first.
    tracker.loaded({ total: 30, recent: [conflict(30), conflict(29), conflict(28)] });
    tracker.recorded([conflict(31), conflict(32)]);
    expect(tracker.snapshot()).toEqual({ total: 32, recent: [conflict(32), conflict(31), conflict(30), conflict(29), conflict(28)] });
    tracker.recorded(Array.from({ length: 25 }, (_, i) => conflict(33 + i)));
    const after = tracker.snapshot()!;
    expect(after.total).toBe(57);
    expect(after.recent.map((c) => c.key.id)).toEqual(Array.from({ length: RECENT_CONFLICTS }, (_, i) => 57 - i));
    // A new attempt reads the table again: its count replaces the running one.
    tracker.loaded({ total: 57, recent: [] });
    expect(tracker.snapshot()).toEqual({ total: 57, recent: [] });
  });

  it('is carried in the record within the manager\'s schema, long values and wide rows cut short', () => {
    const base: PipelineStatus = { state: 'running', lagMs: 0, applyDelayMs: 0, rowsPerSecond: 0, rowsApplied: 0, transactionsApplied: 0 };
    expect(admitted(base).record.conflicts).toBeUndefined();
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`c${i}`, i]));
    const long = conflict(1, { incoming: { id: 1, note: 'x'.repeat(100_000), photo: { hex: 'ab'.repeat(50_000) } }, current: { id: 1, ...wide }, position: '0-1-1,'.repeat(1_000) });
    const { record, ok } = admitted({ ...base, conflicts: { total: 1, recent: [long] } });
    expect(ok).toBe(true);
    const shown = record.conflicts!.recent[0]!;
    expect(shown.incoming!.note).toBe(`${'x'.repeat(200)}…`);
    expect(shown.incoming!.photo).toEqual({ hex: `${'ab'.repeat(100)}…` });
    expect(Object.keys(shown.current!)).toHaveLength(101);
    expect(shown.current!['…']).toBe('51 more columns');
    expect(JSON.stringify(record).length).toBeLessThan(10_000);
    // Unbounded, the manager would refuse the whole report.
    expect(Value.Check(PipelineStats, { ...record, conflicts: { total: 1, recent: [long] } })).toBe(false);
  });
});
