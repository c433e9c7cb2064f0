import mysql from 'mysql2/promise';
import { SqlLiteral } from '../transform/values.ts';

/**
 * A transformed value (node/transform/values.ts: SqlValue) as SQL text, exactly as mysql2's
 * query() would have put it in place of a '?'. Statements are built with their values
 * already in the text: one pass over the values instead of building a parameter array and
 * then having the driver scan a statement of thousands of '?' to replace them.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return `${value}`;
  if (value instanceof SqlLiteral) return value.sql;
  return mysql.escape(value as string | Buffer);
}
