import type { TableRef } from '../../shared/model/change.ts';
import type { TableMapping } from '../../shared/model/table-mapping.ts';
import { quoteTable } from '../../shared/mysql/flavor.ts';
import type { NamedTable, ParsedDdl } from './ddl.ts';

/** True when the statement changes at least one replicated table (or makes one, by name). */
export function touchesReplicatedTables(ddl: ParsedDdl, mapping: TableMapping): boolean {
  return replicatedTables(ddl, mapping).length > 0;
}

/** The replicated tables the statement changes or makes (not those it only reads; none for a TEMPORARY table). */
export function replicatedTables(ddl: ParsedDdl, mapping: TableMapping): NamedTable[] {
  if (ddl.temporary) return [];
  return ddl.tables.filter((t) => t.read !== true && mapping.mapTable(t.schema, t.table) !== undefined);
}

/**
 * The table a rename puts in place of a replicated table from outside the pipeline (the
 * cut-over of gh-ost or pt-online-schema-change: `RENAME TABLE t TO _t_old, _t_new TO t`),
 * followed through chains of renames in one statement; undefined when there is none.
 */
export function swappedIn(ddl: ParsedDdl, mapping: TableMapping): { table: TableRef; from: TableRef } | undefined {
  const key = (t: TableRef): string => `${t.schema}\u0000${t.table}`;
  /** Where the table now under each renamed name came from. */
  const origin = new Map<string, { now: TableRef; from: TableRef }>();
  for (const { from, to } of ddl.renames ?? []) {
    const source = origin.get(key(from))?.from ?? from;
    origin.delete(key(from));
    origin.set(key(to), { now: to, from: source });
  }
  for (const { now, from } of origin.values()) {
    if (mapping.mapTable(now.schema, now.table) !== undefined && mapping.mapTable(from.schema, from.table) === undefined) {
      return { table: { schema: now.schema, table: now.table }, from: { schema: from.schema, table: from.table } };
    }
  }
  return undefined;
}

/**
 * The statement with every replicated table name replaced by its target name, fully
 * qualified. Column renames are not rewritten: DDL naming a renamed column needs a hand.
 */
export function rewriteDdl(sql: string, ddl: ParsedDdl, mapping: TableMapping): string {
  let out = '';
  let cursor = 0;
  for (const table of [...ddl.tables].sort((a, b) => a.start - b.start)) {
    const mapped = mapping.mapTable(table.schema, table.table);
    const target = mapped?.target ?? table;
    out += sql.slice(cursor, table.start) + quoteTable(target.schema, target.table);
    cursor = table.end;
  }
  return out + sql.slice(cursor);
}
