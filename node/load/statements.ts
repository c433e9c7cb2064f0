import { quoteIdentifier, quoteTable, upsertTail, type Flavor } from '../../shared/mysql/flavor.ts';
import type { Row } from '../../shared/model/change.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { TableOperations } from './merge.ts';
import type { TargetTable } from './target-tables.ts';

/** One SQL statement with its parameters, for mysql2's query(). */
export interface Statement {
  sql: string;
  values: unknown[];
  /** Rows the statement touches, for error reports. */
  rows: Row[];
}

/** Rows per multi-row statement: large enough to amortise round trips, small enough for max_allowed_packet. */
export const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function deleteStatements(schema: string, table: string, key: string[], keyRows: Row[], rowsPerStatement: number): Statement[] {
  return chunks(keyRows, rowsPerStatement).map((rows) => {
    const values: unknown[] = [];
    let where: string;
    if (key.length === 1) {
      const column = key[0]!;
      for (const row of rows) values.push(row[column]);
      where = `${quoteIdentifier(column)} IN (${rows.map(() => '?').join(',')})`;
    } else {
      for (const row of rows) for (const column of key) values.push(row[column]);
      const tuple = `(${key.map(() => '?').join(',')})`;
      where = `(${key.map(quoteIdentifier).join(',')}) IN (${rows.map(() => tuple).join(',')})`;
    }
    return { sql: `DELETE FROM ${quoteTable(schema, table)} WHERE ${where}`, values, rows };
  });
}

/**
 * Groups rows by their column list (a DDL inside a batch may change it) in first-seen order.
 * Generated columns are left out; a column the target table lacks is an error, never
 * dropped in silence (a mistyped rename, an ADD COLUMN stepped over).
 */
function byColumns(rows: Row[], table: TargetTable): Map<string, { columns: string[]; rows: Row[] }> {
  const groups = new Map<string, { columns: string[]; rows: Row[] }>();
  for (const row of rows) {
    const names = Object.keys(row);
    const signature = names.join('\u0000');
    let group = groups.get(signature);
    if (!group) {
      const missing = names.filter((c) => !table.columns.has(c));
      if (missing.length > 0) {
        throw new FerryError('FERRY_ERR_APPLY_FAILED', {
          kind: 'write',
          table: `${table.schema}.${table.table}`,
          key: '-',
          detail: `the target table has no column ${missing.map((c) => `'${c}'`).join(', ')}; add it to the target, or exclude or rename it in the table rule`,
        });
      }
      const columns = names.filter((c) => table.writable.has(c));
      group = { columns, rows: [] };
      groups.set(signature, group);
    }
    group.rows.push(row);
  }
  return groups;
}

function insertStatements(flavor: Flavor, table: TargetTable, rows: Row[], upsert: boolean, rowsPerStatement: number): Statement[] {
  const statements: Statement[] = [];
  for (const { columns, rows: groupRows } of byColumns(rows, table).values()) {
    const head = `INSERT INTO ${quoteTable(table.schema, table.table)} (${columns.map(quoteIdentifier).join(',')}) VALUES `;
    const tuple = `(${columns.map(() => '?').join(',')})`;
    const tail = upsert ? upsertTail(flavor, columns) : '';
    for (const chunk of chunks(groupRows, rowsPerStatement)) {
      const values: unknown[] = [];
      for (const row of chunk) for (const column of columns) values.push(row[column]);
      statements.push({ sql: `${head}${chunk.map(() => tuple).join(',')}${tail}`, values, rows: chunk });
    }
  }
  return statements;
}

/**
 * The statements that take a table from its state before the batch to its state after.
 * A table with only a primary key gets deletes then upserts. A table with more unique keys
 * gets the rows it rewrites deleted first and plain inserts: an upsert there could hit a
 * secondary unique key and overwrite a different row (two rows swapping a unique value).
 * With `rowsPerStatement` 1 each statement touches one row: how a refused row is found.
 */
export function statementsFor(flavor: Flavor, operations: TableOperations, rowsPerStatement = ROWS_PER_STATEMENT): Statement[] {
  const { table } = operations;
  const onlyPrimaryKey = table.uniqueKeys.length <= 1;
  const deleted = onlyPrimaryKey ? operations.deletes : [...operations.deletes, ...operations.replaced];
  return [
    ...deleteStatements(table.schema, table.table, table.key, deleted, rowsPerStatement),
    ...insertStatements(flavor, table, operations.writes, onlyPrimaryKey, rowsPerStatement),
  ];
}
