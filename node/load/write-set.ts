import { keyOf } from './key.ts';
import type { TableChanges } from './table-changes.ts';

/**
 * The write-set of a batch: every value of every unique key (primary key included) in every
 * before and after image it touches, as MySQL's WRITESET dependency tracking does. Two
 * batches with disjoint write-sets can be applied in parallel without changing the result.
 */
export function writeSetOf(groups: TableChanges[]): Set<string> {
  const set = new Set<string>();
  for (const { name, table, changes } of groups) {
    const prefixes = table.uniqueKeys.map((_, index) => `${name}\u0000${index}\u0000`);
    for (const change of changes) {
      for (let k = 0; k < prefixes.length; k++) {
        const columns = table.uniqueKeys[k]!;
        if (change.before) set.add(prefixes[k] + keyOf(change.before, columns, true));
        if (change.after) set.add(prefixes[k] + keyOf(change.after, columns, true));
      }
    }
  }
  return set;
}

export function intersects(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const item of small) if (large.has(item)) return true;
  return false;
}
