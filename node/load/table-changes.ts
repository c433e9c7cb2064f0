import type { TargetChange } from '../../shared/model/change.ts';
import type { TargetTable, TargetTables } from './target-tables.ts';

/** A batch's changes of one target table, in batch order. */
export interface TableChanges {
  table: TargetTable;
  /** 'schema.table', computed once per batch and table. */
  name: string;
  changes: TargetChange[];
}

/**
 * Splits a batch by target table, tables in the order they first appear. Runs of changes of
 * one table (the usual case) cost one comparison each; no name is built per change.
 */
export async function groupByTable(changes: TargetChange[], tables: TargetTables): Promise<TableChanges[]> {
  const groups: TableChanges[] = [];
  const byName = new Map<string, TableChanges>();
  let last: TableChanges | undefined;
  for (const change of changes) {
    if (last === undefined || last.table.schema !== change.schema || last.table.table !== change.table) {
      const name = `${change.schema}.${change.table}`;
      last = byName.get(name);
      if (last === undefined) {
        last = { table: await tables.get(change), name, changes: [] };
        byName.set(name, last);
        groups.push(last);
      }
    }
    last.changes.push(change);
  }
  return groups;
}
