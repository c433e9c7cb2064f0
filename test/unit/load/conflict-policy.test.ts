import { describe, expect, it } from 'vitest';
import { judge, type KeyState, type PolicySide } from '../../../node/load/conflict-policy.ts';
import type { ConflictPolicy } from '../../../shared/model/conflict.ts';

/**
 * Two changes to one row, one on each master (A is the primary), replayed through both
 * directions' verdicts: each direction's Load sees the other side's change already on its
 * target. Both sides must end with the same row whatever the kinds of the two changes.
 */
type Change = { kind: 'insert' | 'update' | 'delete'; ts?: number };
type Version = { side: 'A' | 'B'; ts?: number } | null;

/** What a master holds after its own change, from a common row (absent before an insert). */
function own(change: Change, side: 'A' | 'B'): Version {
  return change.kind === 'delete' ? null : { side, ...(change.ts === undefined ? {} : { ts: change.ts }) };
}

/** The state the direction carrying `incoming` sees on a target that made `local`. */
function stateOf(incoming: Change, local: Change, side: 'A' | 'B', other: 'A' | 'B'): KeyState {
  const current = own(local, other);
  const final = own(incoming, side);
  const newer = final?.ts === undefined || current?.ts === undefined ? undefined : final.ts > current.ts ? 'incoming' : final.ts < current.ts ? 'current' : 'tie';
  return {
    present: current !== null,
    // The target's row is the other side's new version, never the common one both started from.
    matchesExpected: false,
    // Both deleted: the target already holds the result.
    equalsFinal: current === null && final === null,
    uniqueClash: false,
    ...(newer === undefined ? {} : { newer }),
  };
}

/** Runs both directions; returns what each master ends with. */
function converge(a: Change, b: Change, policy: ConflictPolicy): { A: Version; B: Version; decisions: string[] } {
  const sides: Record<'A' | 'B', PolicySide> = { A: { policy, primary: true }, B: { policy, primary: false } };
  let onA = own(a, 'A');
  let onB = own(b, 'B');
  const decisions: string[] = [];
  // A -> B: A's change arrives at B.
  const toB = judge(stateOf(a, b, 'A', 'B'), a.kind !== 'insert', sides.A);
  decisions.push(toB === null ? 'none' : toB.decision);
  const toA = judge(stateOf(b, a, 'B', 'A'), b.kind !== 'insert', sides.B);
  decisions.push(toA === null ? 'none' : toA.decision);
  if (toB === null || toB.decision === 'applied') onB = own(a, 'A');
  if (toA === null || toA.decision === 'applied') onA = own(b, 'B');
  return { A: onA, B: onB, decisions };
}

const pairs: Array<[Change, Change]> = [
  [{ kind: 'insert', ts: 1 }, { kind: 'insert', ts: 2 }],
  [{ kind: 'update', ts: 2 }, { kind: 'update', ts: 1 }],
  [{ kind: 'update', ts: 1 }, { kind: 'update', ts: 1 }],
  [{ kind: 'update', ts: 1 }, { kind: 'delete' }],
  [{ kind: 'delete' }, { kind: 'update', ts: 5 }],
  [{ kind: 'delete' }, { kind: 'delete' }],
];

describe('conflict policies: both masters converge on every interleaving', () => {
  for (const [a, b] of pairs) {
    it(`primary-wins, A ${a.kind} / B ${b.kind}: A's version on both`, () => {
      const end = converge(a, b, 'primary-wins');
      expect(end.A).toEqual(end.B);
      expect(end.A).toEqual(own(a, 'A'));
    });

    it(`newer-wins, A ${a.kind}@${a.ts ?? '-'} / B ${b.kind}@${b.ts ?? '-'}: the later timestamp, else the primary`, () => {
      const end = converge(a, b, 'newer-wins');
      expect(end.A).toEqual(end.B);
      const bNewer = a.ts !== undefined && b.ts !== undefined && b.ts > a.ts;
      expect(end.A).toEqual(bNewer ? own(b, 'B') : own(a, 'A'));
    });

    it(`stop, A ${a.kind} / B ${b.kind}: both directions stop`, () => {
      const end = converge(a, b, 'stop');
      if (a.kind === 'delete' && b.kind === 'delete') expect(end.decisions).toEqual(['none', 'none']);
      else expect(end.decisions).toEqual(['stopped', 'stopped']);
    });
  }

  it('source-wins (one-way) always writes the source version', () => {
    const state: KeyState = { present: true, matchesExpected: false, equalsFinal: false, uniqueClash: false, newer: 'current' };
    expect(judge(state, true, { policy: 'source-wins', primary: true })).toEqual({ kind: 'mismatch', decision: 'applied' });
  });

  it('names the kind: missing, exists, unique-key; no conflict when the target already holds the result', () => {
    const side: PolicySide = { policy: 'primary-wins', primary: false };
    const base: KeyState = { present: false, matchesExpected: false, equalsFinal: false, uniqueClash: false };
    expect(judge(base, true, side)).toEqual({ kind: 'missing', decision: 'skipped' });
    expect(judge({ ...base, present: true }, false, side)).toEqual({ kind: 'exists', decision: 'skipped' });
    expect(judge({ ...base, matchesExpected: true, uniqueClash: true }, false, side)).toEqual({ kind: 'unique-key', decision: 'skipped' });
    expect(judge({ ...base, present: true, equalsFinal: true }, true, side)).toBeNull();
    expect(judge({ ...base, present: true, matchesExpected: true }, true, side)).toBeNull();
  });

  it('newer-wins settles a unique-key clash by the primary: two rows have no common history', () => {
    const state: KeyState = { present: false, matchesExpected: true, equalsFinal: false, uniqueClash: true, newer: 'incoming' };
    expect(judge(state, false, { policy: 'newer-wins', primary: false })).toEqual({ kind: 'unique-key', decision: 'skipped' });
  });
});
