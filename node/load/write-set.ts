import type { TargetChange } from '../../shared/model/change.ts';
import { keyOf } from './key.ts';
import type { TargetTable } from './target-tables.ts';

/**
 * The write-set of a batch: every value of every unique key (primary key included) in every
 * before and after image it touches, as MySQL's WRITESET dependency tracking does. Two
 * batches with disjoint write-sets can be applied in parallel without changing the result.
 */
export function writeSetOf(changes: TargetChange[], tables: Map<string, TargetTable>): Set<string> {
  const set = new Set<string>();
  for (const change of changes) {
    const name = `${change.schema}.${change.table}`;
    const table = tables.get(name);
    if (!table) continue;
    for (const image of [change.before, change.after]) {
      if (!image) continue;
      table.uniqueKeys.forEach((columns, index) => set.add(`${name}\u0000${index}\u0000${keyOf(image, columns, true)}`));
    }
  }
  return set;
}

export function intersects(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const item of small) if (large.has(item)) return true;
  return false;
}
