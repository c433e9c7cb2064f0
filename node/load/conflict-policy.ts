import type { ConflictDecision, ConflictKind, ConflictPolicy } from '../../shared/model/conflict.ts';

/** What the check found of one key on the target (node/load/conflict-check.ts). */
export interface KeyState {
  /** The target holds a row under the key. */
  present: boolean;
  /** That row (or its absence) is what the batch expected before its changes. */
  matchesExpected: boolean;
  /** The target already holds the batch's final image (or no row, for a key that ends deleted). */
  equalsFinal: boolean;
  /** The batch writes the key and another target row, untouched by the batch, holds one of its secondary unique values. */
  uniqueClash: boolean;
  /**
   * newer-wins: the incoming final image's timestampColumn against the target row's, compared
   * by the server; undefined when either has none (a delete, a missing row, a NULL).
   */
  newer?: 'incoming' | 'current' | 'tie';
}

/** The settings a decision needs: the policy and this pipeline's side of the channel. */
export interface PolicySide {
  policy: ConflictPolicy;
  /** This pipeline reads from the primary: its version wins primary-wins and ties. */
  primary: boolean;
}

/** null: no conflict, the key's changes are applied as they are. */
export type Verdict = null | { kind: ConflictKind; decision: ConflictDecision };

/**
 * What kind of conflict a key's state is, if any. A target already holding the final image is
 * none (both sides made the same change): nothing to write then. A unique-key clash comes
 * before the key's own state: the row met is another one, which the write would replace.
 */
export function conflictKind(state: KeyState, expectsRow: boolean): ConflictKind | null {
  if (state.equalsFinal) return null;
  if (state.uniqueClash) return 'unique-key';
  if (state.matchesExpected) return null;
  if (!expectsRow) return 'exists';
  return state.present ? 'mismatch' : 'missing';
}

/**
 * Who wins a conflict. Both directions of a channel decide the same way with the roles
 * swapped, so both sides end with the same row: primary-wins lets the primary's direction
 * write and the other skip; newer-wins compares the timestamps (the server does, in the
 * check), ties and rows without one to the primary; source-wins (one-way) always writes.
 */
export function decide(kind: ConflictKind, state: KeyState, side: PolicySide): ConflictDecision {
  switch (side.policy) {
    case 'source-wins':
      return 'applied';
    case 'stop':
      return 'stopped';
    case 'primary-wins':
      return side.primary ? 'applied' : 'skipped';
    case 'newer-wins': {
      // A unique-key clash is between two different rows: their timestamps say nothing of one row's history.
      const newer = kind === 'unique-key' ? undefined : state.newer;
      if (newer === 'incoming') return 'applied';
      if (newer === 'current') return 'skipped';
      return side.primary ? 'applied' : 'skipped';
    }
  }
}

/** The verdict on one key: no conflict, or its kind and decision. */
export function judge(state: KeyState, expectsRow: boolean, side: PolicySide): Verdict {
  const kind = conflictKind(state, expectsRow);
  return kind === null ? null : { kind, decision: decide(kind, state, side) };
}

/** What Load does with one key of an echo batch (SourceTransaction.echo). */
export type EchoVerdict = 'apply' | 'none' | 'skip';

/**
 * An echo (the primary's copy of a change its mirror made, sent back by the primary's
 * direction) is applied only where it is still true on the target: the target holds the
 * expected image, so the primary saw the same history there (after an ABA on the primary, the
 * non-primary side must take what the primary took). Holding the final image already (the
 * usual case: the echo of the target's own change), nothing is written. Anything else is
 * skipped silently, never a conflict: the target moved on, and that later change travels to
 * the primary and is judged there. A unique-key clash is skipped too (another row holds the
 * value: the target moved on as well).
 */
export function echoVerdict(state: KeyState): EchoVerdict {
  if (state.equalsFinal) return 'none';
  if (state.uniqueClash || !state.matchesExpected) return 'skip';
  return 'apply';
}
