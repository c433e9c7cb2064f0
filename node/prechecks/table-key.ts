import type { TableRef } from '../../shared/model/change.ts';
import { asText, queryRows, tableName, type SqlClient } from './sql.ts';

/** The columns that identify a row of a table. */
export interface TableKey {
  kind: 'primary' | 'unique';
  /** Index name ('PRIMARY' for the primary key). */
  name: string;
  /** Key columns in index order. */
  columns: string[];
}

/** A unique or non-unique index, as SHOW INDEX describes it. */
export interface IndexInfo {
  name: string;
  unique: boolean;
  /**
   * Columns in index order; name null for an expression part (MySQL functional index);
   * prefix set for a prefix part such as `name(10)` (SHOW INDEX's Sub_part: characters for
   * text, bytes for binary columns).
   */
  columns: Array<{ name: string | null; nullable: boolean; prefix?: number }>;
}

/** The table's indexes in the server's key order (SHOW INDEX). Throws when the table does not exist. */
export async function readIndexes(client: SqlClient, ref: TableRef): Promise<IndexInfo[]> {
  const rows = await queryRows(client, `SHOW INDEX FROM ${tableName(ref)}`);
  const byName = new Map<string, IndexInfo>();
  for (const row of rows) {
    const name = asText(row.Key_name) ?? '';
    let index = byName.get(name);
    if (!index) {
      index = { name, unique: Number(row.Non_unique) === 0, columns: [] };
      byName.set(name, index);
    }
    const prefix = asText(row.Sub_part);
    index.columns.push({ name: asText(row.Column_name), nullable: asText(row.Null) === 'YES', ...(prefix === null ? {} : { prefix: Number(prefix) }) });
  }
  return [...byName.values()];
}

/**
 * The key a change is applied by: the primary key, else the first unique key whose parts are
 * all NOT NULL columns (a nullable unique key lets many rows share NULL). The server lists
 * such keys first after the primary key, in the order InnoDB would pick its clustered index.
 */
export function chooseTableKey(indexes: readonly IndexInfo[]): TableKey | null {
  return identifyingKeys(indexes)[0] ?? null;
}

/**
 * Every key that identifies a row: the primary key, then each unique key whose parts are all
 * NOT NULL columns, in the server's order. The first is the table's key (chooseTableKey);
 * Load falls back to a later one when a table rule leaves out a column of the first (a
 * target's own AUTO_INCREMENT id beside the source's natural key).
 */
export function identifyingKeys(indexes: readonly IndexInfo[]): TableKey[] {
  const keys: TableKey[] = [];
  const primary = indexes.find((index) => index.name === 'PRIMARY');
  if (primary) keys.push({ kind: 'primary', name: primary.name, columns: primary.columns.map((c) => c.name ?? '') });
  for (const index of indexes) {
    if (index === primary || !index.unique || index.columns.length === 0) continue;
    if (index.columns.every((c) => c.name !== null && !c.nullable)) keys.push({ kind: 'unique', name: index.name, columns: index.columns.map((c) => c.name as string) });
  }
  return keys;
}

/** Key columns of a table (primary key, else first suitable unique key); null when it has none. */
export async function describeTableKey(client: SqlClient, schema: string, table: string): Promise<TableKey | null> {
  return chooseTableKey(await readIndexes(client, { schema, table }));
}
