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
   * The transaction as Extract passes it on: the kept changes, and `replay` only where the
   * events still say exactly what the changes say. A hook may change or drop rows, which
   * the source's events would not show; a change left out (no rule maps its table) would
   * come back with the events. Either way the transaction goes by SQL.
   */
  transaction(transaction: SourceTransaction): SourceTransaction {
    const changes = this.extract(transaction);
    const extracted: SourceTransaction = { ...transaction, changes };
    if (extracted.replay !== undefined && (this.hook !== undefined || changes.length !== transaction.changes.length)) delete extracted.replay;
    return extracted;
  }

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
