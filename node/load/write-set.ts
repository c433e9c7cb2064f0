import { writeSetKeyOf } from './key.ts';
import type { TableChanges } from './table-changes.ts';

/** Key values per unique key of a table ('schema.table' NUL key index). */
export type WriteSet = Map<string, Set<string>>;

/**
 * The write-set of a batch: every value of every unique key (primary key included) in every
 * before and after image it touches, as MySQL's WRITESET dependency tracking does (a prefix
 * key part by its prefix alone, as the server compares it). Two
 * batches with disjoint write-sets can be applied in parallel without changing the result.
 * Values are kept per table and key, so no string is built per row to name them.
 */
export function writeSetOf(groups: TableChanges[]): WriteSet {
  const set: WriteSet = new Map();
  for (const { name, table, changes } of groups) {
    table.uniqueKeys.forEach((key, index) => {
      const id = `${name}\u0000${index}`;
      let values = set.get(id);
      if (values === undefined) set.set(id, (values = new Set()));
      for (const change of changes) {
        if (change.before) values.add(writeSetKeyOf(change.before, key));
        if (change.after) values.add(writeSetKeyOf(change.after, key));
      }
    });
  }
  return set;
}

export function intersects(a: WriteSet, b: WriteSet): boolean {
  for (const [id, values] of a) {
    const other = b.get(id);
    if (other === undefined) continue;
    const [small, large] = values.size <= other.size ? [values, other] : [other, values];
    for (const value of small) if (large.has(value)) return true;
  }
  return false;
}

/** What orders a batch against the batches in flight. */
export interface Footprint {
  writeSet: WriteSet;
  /** Its target tables ('schema.table'). */
  tables: Set<string>;
  /** Replayed (docs/replay.md): its keys are not computed, so its write-set is empty. */
  replayed: boolean;
}

/**
 * Two batches that may not apply at once: a row key in common, or a table in common when
 * either is replayed (a replayed batch's keys are not computed: that is the CPU replay saves).
 */
export function conflict(a: Footprint, b: Footprint): boolean {
  if (a.replayed || b.replayed) {
    for (const table of a.tables) if (b.tables.has(table)) return true;
  }
  return intersects(a.writeSet, b.writeSet);
}

/**
 * Whether `head` must wait until `other`, in flight, commits before it starts. Batches that
 * share a row key (write-sets) wait for the commit, as always. A replayed batch's keys are not
 * computed, so it is ordered against batches of its tables instead (conflict); there the later
 * batch may start once the earlier one has applied all its statements and only waits for its
 * commit turn (`applied`): it takes no further row lock, so the later batch can at worst wait
 * for the earlier one's locks, never the other way round, and commits stay in order. Without
 * this overlap, batches of one table replayed one BEGIN ... COMMIT after another.
 */
export function waitsForCommit(other: Footprint & { applied: boolean }, head: Footprint): boolean {
  if (!conflict(other, head)) return false;
  if (!other.applied) return true;
  return intersects(other.writeSet, head.writeSet);
}
