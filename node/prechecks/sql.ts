import type { TableRef } from '../../shared/model/change.ts';
import { FerryError } from '../../shared/errors/index.ts';
import { quoteTable } from '../../shared/mysql/flavor.ts';

/**
 * The one thing prechecks need from a database connection. A mysql2/promise Connection or
 * Pool satisfies it, so this module never imports the driver and tests can pass fakes.
 */
export interface SqlClient {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

export type SqlRow = Record<string, unknown>;

/** Rows of a statement that returns one result set. */
export async function queryRows(client: SqlClient, sql: string, values?: unknown[]): Promise<SqlRow[]> {
  const [rows] = await client.query(sql, values);
  if (!Array.isArray(rows)) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `expected rows from: ${sql}` });
  return rows as SqlRow[];
}

/** The first column of every row, as text (SHOW GRANTS and friends name columns by user). */
export async function queryFirstColumn(client: SqlClient, sql: string, values?: unknown[]): Promise<Array<string | null>> {
  const rows = await queryRows(client, sql, values);
  return rows.map((row) => asText(Object.values(row)[0]));
}

/** A column value as text; null for SQL NULL. Drivers hand back strings, numbers or Buffers. */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** `schema`.`table`, as operators paste it into SQL. */
export function tableName(ref: TableRef): string {
  return quoteTable(ref.schema, ref.table);
}

/**
 * True for errors of the connection itself (lost, reset, timed out): mysql2 marks them
 * `fatal`. Prechecks let these through to the caller, which retries or reports the database
 * as unreachable; an SQL error (access denied to one statement) is a failed check instead.
 */
export function isConnectionError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { fatal?: unknown }).fatal === true;
}
