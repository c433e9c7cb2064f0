import mysql from 'mysql2/promise';
import { SqlLiteral } from '../transform/values.ts';

/** Characters mysql2 escapes inside a quoted string (sql-escaper's escapeChars). */
// eslint-disable-next-line no-control-regex -- NUL, backspace and Ctrl-Z are exactly what must be escaped
const NEEDS_ESCAPE = /[\0\b\t\n\r\x1a"'\\]/;

/**
 * Appends a transformed value (node/transform/values.ts: SqlValue) as SQL text to `parts`,
 * exactly as mysql2's query() would have put it in place of a '?'. Statements are built as
 * one array of pieces joined once: their values go into the text without a parameter array,
 * without the driver scanning thousands of '?', and without a string per quoted value.
 */
export function appendLiteral(parts: string[], value: unknown): void {
  if (value === null || value === undefined) parts.push('NULL');
  else if (typeof value === 'number' || typeof value === 'bigint') parts.push(`${value}`);
  else if (typeof value === 'string' && !NEEDS_ESCAPE.test(value)) parts.push("'", value, "'");
  else if (value instanceof SqlLiteral) parts.push(value.sql);
  else parts.push(mysql.escape(value as string | Buffer));
}
