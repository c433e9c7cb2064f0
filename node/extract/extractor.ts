import type { RowChange, SourceTransaction } from '../../shared/model/change.ts';
import type { TableMapping } from '../../shared/model/table-mapping.ts';

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

  /**
   * The kept changes, for Transform (on the load side). Each stays under the table it was
   * read from, whose rule maps it: a hook that renames a change does not move it to another
   * rule's target.
   */
  extract(transaction: SourceTransaction): RowChange[] {
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
