import type { RowChange, SourceTransaction } from '../../shared/model/change.ts';
import type { MappedTable, TableMapping } from '../../shared/model/table-mapping.ts';

/**
 * A user hook: gets every replicated row change and returns it (changed or not), or null
 * to drop it. Loaded from the module named by the pipeline's `hook` (its default export).
 */
export type RowHook = (change: RowChange) => RowChange | null;

/** Extract: keeps the changes of replicated tables and runs the hook on them. */
export class Extractor {
  constructor(
    private readonly mapping: TableMapping,
    private readonly hook?: RowHook,
  ) {}

  /** Each kept change, with where it goes, handed to `next` (Transform): no wrapper object per row. */
  extract<T>(transaction: SourceTransaction, next: (change: RowChange, mapped: MappedTable) => T): T[] {
    const out: T[] = [];
    for (const change of transaction.changes) {
      const mapped = this.mapping.mapTable(change.schema, change.table);
      if (!mapped) continue;
      const kept = this.hook ? this.hook(change) : change;
      if (kept) out.push(next(kept, mapped));
    }
    return out;
  }

  /**
   * The kept changes alone, for a Transform that runs elsewhere (the load side). Each stays
   * under the table it was read from, as extract() maps it: a hook that renames a change
   * does not move it to another rule's target.
   */
  keep(transaction: SourceTransaction): RowChange[] {
    const out: RowChange[] = [];
    for (const change of transaction.changes) {
      if (!this.mapping.mapTable(change.schema, change.table)) continue;
      const kept = this.hook ? this.hook(change) : change;
      if (!kept) continue;
      out.push(kept.schema === change.schema && kept.table === change.table ? kept : { ...kept, schema: change.schema, table: change.table });
    }
    return out;
  }
}
