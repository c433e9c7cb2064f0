import type { ColumnInfo, TableRef } from '../../shared/model/change.ts';
import { FerryError } from '../../shared/errors/index.ts';

/**
 * Binlog values (as @vlasky/zongji 0.9 decodes them under node/select/binlog-options.ts) to
 * parameters for mysql2's `connection.query(sql, params)`, so that the target stores exactly
 * the bytes the source stored. test/integration/transform/value-round-trip.test.ts proves
 * it type by type against real MariaDB; the choices:
 *
 * - integers: `number` within ±(2^53-1), else `bigint` (printed as an exact unquoted
 *   literal; zongji gives an exact string there). Never a quoted string: it would insert
 *   exactly, but in `WHERE (k1, k2) IN ((?, ?), ...)`, how a batch deletes by key, MariaDB
 *   compares a column with quoted strings as DOUBLE unless the plan happens to use the key,
 *   and DOUBLE cannot tell 18446744073709551615 from 18446744073709551614.
 * - DECIMAL: a `SqlLiteral`, the exact digits unquoted, for the same reason.
 * - FLOAT/DOUBLE: `number`. JavaScript prints the shortest text that reads back as the same
 *   double, and the server rounds that text correctly (for FLOAT, double then float: exact,
 *   since every float is a double). MariaDB stores -0 as 0, so -0 printing as 0 loses nothing.
 * - temporal types, ENUM, SET, text: `string`. DATE/DATETIME/TIMESTAMP/TIME keep every
 *   fractional digit and zero dates; TIMESTAMP is UTC wall-clock text, so the target session
 *   must use TARGET_SESSION_VARIABLES.time_zone.
 * - binary types, BIT, text whose charset zongji cannot decode: `Buffer` (written as X'..').
 * - MySQL's binary JSON (type 245): zongji's text of it (`jsonStrings`). Not exact: zongji
 *   prints a stored double 1.0 as 1 (untested here, no MySQL server). MariaDB's JSON is
 *   LONGTEXT, text like any other, and exact.
 *
 * Refused with FERRY_ERR_VALUE_UNSUPPORTED, because zongji loses information there:
 * GEOMETRY (decoded to plain points without SRID or subtype), an ENUM holding the
 * invalid-value index 0 (decoded as undefined), and latin1 bytes 0x81 0x8D 0x8F 0x90 0x9D
 * (decoded to U+FFFD, as is any byte a non-Unicode charset decoder does not know).
 */

/** An exact literal that mysql2's query formatter inserts unquoted (it calls toSqlString). */
export class SqlLiteral {
  constructor(readonly sql: string) {}
  toSqlString(): string {
    return this.sql;
  }
  toString(): string {
    return this.sql;
  }
}

/** What toSqlValue returns: values mysql2's `query()` (not `execute()`) formats exactly. */
export type SqlValue = null | number | bigint | string | Buffer | SqlLiteral;

/**
 * Session variables the target connection must run with for the values above to mean
 * what they meant on the source:
 * - time_zone: TIMESTAMP values are UTC text; any other zone shifts them, and a zone with
 *   daylight saving cannot even express the hour that repeats.
 * - sql_mode: strict, so a target column that cannot hold a value fails loudly; zero dates
 *   and dates such as 2021-02-31 allowed, since the source may hold them (ALLOW_INVALID_DATES,
 *   no NO_ZERO_DATE); NO_AUTO_VALUE_ON_ZERO, so a 0 in an AUTO_INCREMENT column stays 0; and
 *   no NO_BACKSLASH_ESCAPES, since mysql2 escapes strings with backslashes.
 */
export const TARGET_SESSION_VARIABLES = {
  time_zone: '+00:00',
  sql_mode: 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION',
} as const;

/** MySQL type codes of TABLE_MAP events (node_modules/@vlasky/zongji/lib/common.js). */
const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8,
  INT24: 9, DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, NEWDATE: 14, VARCHAR: 15, BIT: 16,
  TIMESTAMP2: 17, DATETIME2: 18, TIME2: 19, BLOB_COMPRESSED: 140, VARCHAR_COMPRESSED: 141,
  JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248, TINY_BLOB: 249, MEDIUM_BLOB: 250,
  LONG_BLOB: 251, BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;

/** Charsets able to hold U+FFFD, where it is data rather than a failed decode. */
const UNICODE_CHARSETS = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'ucs2', 'utf16', 'utf16le', 'utf32']);

/** Where a value came from, for errors: 'schema.table', or the reference (named only if an error needs it). */
type TableName = string | TableRef;

/** The target-side parameter for one decoded binlog value of `column` in `table`. */
export function toSqlValue(raw: unknown, column: ColumnInfo, table: TableName): SqlValue {
  if (raw === null) return null;
  if (raw === undefined) throw unsupported(column, table, undefinedDetail(column));
  switch (column.typeCode) {
    case T.TINY:
    case T.SHORT:
    case T.INT24:
    case T.LONG:
      if (Number.isInteger(raw)) return raw as number;
      break;
    case T.LONGLONG:
      return bigInteger(raw, column, table);
    case T.YEAR:
      // YEAR is stored as year - 1900; zongji adds 1900 back even to the stored 0 that means
      // year 0000. 1900 itself is outside YEAR's range (1901-2155), so it can only be 0000.
      if (raw === 1900) return 0;
      if (Number.isInteger(raw)) return raw as number;
      break;
    case T.FLOAT:
    case T.DOUBLE:
      if (Number.isFinite(raw)) return raw as number;
      break;
    case T.NEWDECIMAL:
      // Checked, since it goes into the statement unquoted.
      if (typeof raw === 'string' && isNumberText(raw, true)) return new SqlLiteral(raw);
      break;
    case T.TIME:
    case T.TIME2:
      if (typeof raw === 'string') return raw.charCodeAt(0) === 45 /* '-' */ ? carryNegativeTime(raw) : raw;
      break;
    case T.DATE:
    case T.NEWDATE:
    case T.DATETIME:
    case T.DATETIME2:
    case T.TIMESTAMP:
    case T.TIMESTAMP2:
      // A Date here would mean dateStrings is off: milliseconds only, zero dates lost.
      if (typeof raw === 'string') return raw;
      break;
    case T.ENUM:
    case T.SET:
      if (typeof raw === 'string') return raw;
      break;
    case T.VARCHAR:
    case T.STRING:
    case T.VAR_STRING:
    case T.VARCHAR_COMPRESSED:
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
    case T.BLOB_COMPRESSED:
      if (typeof raw === 'string') return text(raw, column, table);
      if (Buffer.isBuffer(raw)) return raw;
      break;
    case T.BIT:
      if (Buffer.isBuffer(raw)) return raw;
      break;
    case T.JSON:
      // Parsed (jsonStrings off), integers beyond 2^53 would come back as JSON strings.
      if (typeof raw === 'string') return raw;
      break;
    case T.GEOMETRY:
      throw unsupported(column, table, 'zongji decodes GEOMETRY to plain coordinates without SRID or geometry type; the WKB value cannot be rebuilt exactly');
    default:
      throw unsupported(column, table, `binlog type code ${column.typeCode} is not supported`);
  }
  throw unsupported(column, table, `unexpected decoded value ${describe(raw)} for binlog type code ${column.typeCode}`);
}

function bigInteger(raw: unknown, column: ColumnInfo, table: TableName): number | bigint {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  if (typeof raw === 'bigint') return raw;
  // zongji's exact text for values beyond 2^53. Checked: BigInt() also takes '', ' 1', '0x1'.
  if (typeof raw === 'string' && isNumberText(raw, false)) return BigInt(raw);
  throw unsupported(column, table, `unexpected decoded value ${describe(raw)} for a BIGINT`);
}

/**
 * Optional '-', digits, and with `fraction` optionally '.' and digits: what zongji prints for
 * integers and decimals. A loop rather than a RegExp: measured twice as fast per value.
 */
function isNumberText(text: string, fraction: boolean): boolean {
  const length = text.length;
  let index = length > 0 && text.charCodeAt(0) === 0x2d ? 1 : 0;
  const digitsStart = index;
  while (index < length && isDigit(text.charCodeAt(index))) index++;
  if (index === digitsStart) return false;
  if (index === length) return true;
  if (!fraction || text.charCodeAt(index) !== 0x2e) return false;
  const fractionStart = ++index;
  while (index < length && isDigit(text.charCodeAt(index))) index++;
  return index === length && index > fractionStart;
}

const isDigit = (charCode: number): boolean => charCode >= 0x30 && charCode <= 0x39;

function text(raw: string, column: ColumnInfo, table: TableName): string {
  const charset = column.charset;
  if (charset === 'utf8mb4' || charset === null || UNICODE_CHARSETS.has(charset)) return raw;
  if (raw.includes('\uFFFD')) {
    // The column cannot hold U+FFFD, so zongji's decoder met a byte it has no character for
    // (MySQL's latin1 0x81, 0x8D, 0x8F, 0x90, 0x9D) and the original byte is gone.
    throw unsupported(column, table, `zongji decoded a byte of this ${charset} value to U+FFFD; the original byte is lost`);
  }
  return raw;
}

function undefinedDetail(column: ColumnInfo): string {
  if (column.typeCode === T.ENUM) return "the ENUM holds index 0 (the invalid value '' written in non-strict sql_mode), which zongji decodes as undefined";
  return `zongji decoded no value for binlog type code ${column.typeCode}`;
}

function describe(raw: unknown): string {
  switch (typeof raw) {
    case 'string':
      return `string '${raw.length > 40 ? `${raw.slice(0, 40)}...` : raw}'`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof raw} ${String(raw)}`;
    case 'object':
      if (raw instanceof Date) return 'Date (is dateStrings off?)';
      return raw === null ? 'null' : `object ${raw.constructor?.name ?? ''}`.trim();
    default:
      return typeof raw;
  }
}

function unsupported(column: ColumnInfo, table: TableName, detail: string): FerryError {
  const name = typeof table === 'string' ? table : `${table.schema}.${table.table}`;
  return new FerryError('FERRY_ERR_VALUE_UNSUPPORTED', { column: column.name, columnType: column.columnType, table: name, detail });
}

const NEGATIVE_TIME = /^-(\d+):(\d{2}):(\d{2})(\.\d+)?$/;

/**
 * zongji 0.9 decodes a negative TIME2 by flipping the bits of the packed value and adding
 * one to the seconds field afterwards, without carrying it through the packed layout
 * (6 bits of seconds, 6 of minutes): '-684:06:00' arrives as '-684:05:64' and '-01:00:00'
 * as '-00:63:64'. The carry is binary: seconds 64 is minute+1, minutes 64 is hour+1.
 */
function carryNegativeTime(raw: string): string {
  const match = NEGATIVE_TIME.exec(raw);
  if (!match || match[3] !== '64') return raw;
  let hours = Number(match[1]);
  let minutes = Number(match[2]) + 1;
  if (minutes === 64) {
    minutes = 0;
    hours += 1;
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return `-${pad(hours)}:${pad(minutes)}:00${match[4] ?? ''}`;
}
