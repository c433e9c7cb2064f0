import mysql from 'mysql2';
import { describe, expect, it } from 'vitest';
import { FerryError, isFerryError } from '../../../shared/errors/index.ts';
import type { ColumnInfo } from '../../../shared/model/change.ts';
import { SqlLiteral, toSqlValue, type SqlValue } from '../../../node/transform/values.ts';

/** Type codes as in a TABLE_MAP event (node_modules/@vlasky/zongji/lib/common.js). */
const code = {
  tiny: 1, long: 3, float: 4, double: 5, longlong: 8, date: 10, year: 13, varchar: 15, bit: 16,
  timestamp2: 17, datetime2: 18, time2: 19, json: 245, newdecimal: 246, enum: 247, set: 248, blob: 252, string: 254, geometry: 255,
} as const;

function column(typeCode: number, columnType: string, charset: string | null = null): ColumnInfo {
  return { name: 'c', typeCode, columnType, charset, unsigned: columnType.includes('unsigned') };
}

const convert = (raw: unknown, col: ColumnInfo): SqlValue => toSqlValue(raw, col, 'db.t');

/** The SQL text mysql2's query() sends for one parameter (its formatter, same options). */
const asSql = (value: SqlValue): string => mysql.format('?', [value]);

function refusal(raw: unknown, col: ColumnInfo): FerryError {
  try {
    convert(raw, col);
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_VALUE_UNSUPPORTED')) return error;
    throw error;
  }
  throw new Error(`${String(raw)} was converted, expected a refusal`);
}

describe('toSqlValue', () => {
  it('passes NULL through for every type', () => {
    for (const typeCode of Object.values(code)) expect(convert(null, column(typeCode, 'x'))).toBeNull();
  });

  it('keeps small integers as numbers', () => {
    expect(convert(-128, column(code.tiny, 'tinyint'))).toBe(-128);
    expect(convert(4294967295, column(code.long, 'int unsigned'))).toBe(4294967295);
    expect(asSql(convert(-2147483648, column(code.long, 'int')))).toBe('-2147483648');
  });

  it('writes BIGINT beyond 2^53 as an exact unquoted bigint', () => {
    const bigint = column(code.longlong, 'bigint unsigned');
    expect(convert(9007199254740991, bigint)).toBe(9007199254740991);
    expect(convert('18446744073709551615', bigint)).toBe(18446744073709551615n);
    expect(convert('-9223372036854775808', column(code.longlong, 'bigint'))).toBe(-9223372036854775808n);
    expect(asSql(convert('18446744073709551615', bigint))).toBe('18446744073709551615');
  });

  it('refuses integers that are not exact', () => {
    expect(refusal(2 ** 53, column(code.longlong, 'bigint')).details.detail).toContain('number 9007199254740992');
    expect(refusal('1e3', column(code.longlong, 'bigint')).details.detail).toContain("string '1e3'");
    expect(refusal(' 12', column(code.longlong, 'bigint')).message).toContain('c (bigint) in db.t');
    // BigInt() itself would read these as 0n and 31n.
    for (const raw of ['', '0x1f', '-']) expect(refusal(raw, column(code.longlong, 'bigint')).code).toBe('FERRY_ERR_VALUE_UNSUPPORTED');
    expect(refusal(1.5, column(code.long, 'int')).details.detail).toContain('number 1.5');
    expect(refusal('7', column(code.tiny, 'tinyint')).details.detail).toContain('binlog type code 1');
  });

  it('turns the 1900 zongji decodes for YEAR 0000 back into 0', () => {
    expect(convert(1900, column(code.year, 'year'))).toBe(0);
    expect(convert(1901, column(code.year, 'year'))).toBe(1901);
    expect(convert(2155, column(code.year, 'year'))).toBe(2155);
  });

  it('writes FLOAT and DOUBLE as the shortest text that reads back as the same bits', () => {
    const double = column(code.double, 'double');
    expect(asSql(convert(0.1 + 0.2, double))).toBe('0.30000000000000004');
    expect(asSql(convert(1e308, double))).toBe('1e+308');
    expect(asSql(convert(5e-324, double))).toBe('5e-324');
    expect(asSql(convert(Math.fround(0.1), column(code.float, 'float')))).toBe('0.10000000149011612');
    for (const text of ['0.30000000000000004', '1e+308', '5e-324', '-2.2250738585072014e-308']) expect(Number(text).toString()).toBe(text);
  });

  it('refuses NaN and infinities, which no MySQL column holds', () => {
    for (const raw of [Number.NaN, Infinity, -Infinity]) expect(refusal(raw, column(code.double, 'double')).details.column).toBe('c');
  });

  it('writes DECIMAL as its exact digits, unquoted', () => {
    const decimal = column(code.newdecimal, 'decimal(65,30)');
    const value = convert('-12345678901234567890.123456789012345678901234567891', decimal);
    expect(value).toBeInstanceOf(SqlLiteral);
    expect(asSql(value)).toBe('-12345678901234567890.123456789012345678901234567891');
    expect(String(value)).toBe('-12345678901234567890.123456789012345678901234567891');
    expect(asSql(convert('0', column(code.newdecimal, 'decimal(10,0)')))).toBe('0');
  });

  it('refuses DECIMAL text that is not a plain number, since it goes into the SQL unquoted', () => {
    const decimal = column(code.newdecimal, 'decimal(10,2)');
    for (const raw of ['1; DROP TABLE t', '1e5', '.5', '-', '1.', 12.5]) expect(refusal(raw, decimal).code).toBe('FERRY_ERR_VALUE_UNSUPPORTED');
  });

  it('keeps temporal text as is: every fractional digit, zero dates, negative and long times', () => {
    expect(convert('0000-00-00', column(code.date, 'date'))).toBe('0000-00-00');
    expect(convert('9999-12-31 23:59:59.999999', column(code.datetime2, 'datetime(6)'))).toBe('9999-12-31 23:59:59.999999');
    expect(convert('0000-00-00 00:00:00.000000', column(code.timestamp2, 'timestamp(6)'))).toBe('0000-00-00 00:00:00.000000');
    expect(convert('-838:59:59.999999', column(code.time2, 'time(6)'))).toBe('-838:59:59.999999');
    expect(asSql(convert('-00:00:00.000001', column(code.time2, 'time(6)')))).toBe("'-00:00:00.000001'");
  });

  it('refuses a Date, which would mean milliseconds only and a process time zone', () => {
    expect(refusal(new Date(0), column(code.timestamp2, 'timestamp(6)')).details.detail).toContain('dateStrings');
  });

  it('keeps text, ENUM and SET as strings, and bytes as buffers', () => {
    expect(asSql(convert("it's 😀\0\\", column(code.varchar, 'varchar(10)', 'utf8mb4')))).toBe("'it\\'s 😀\\0\\\\'");
    expect(convert('A€é', column(code.varchar, 'varchar(10)', 'latin1'))).toBe('A€é');
    expect(convert('x,z', column(code.set, "set('x','y','z')", 'utf8mb4'))).toBe('x,z');
    expect(convert('', column(code.set, "set('x','y','z')", 'utf8mb4'))).toBe('');
    const bytes = Buffer.from([0, 0xff, 0x27, 0x5c]);
    expect(asSql(convert(bytes, column(code.blob, 'blob')))).toBe("X'00ff275c'");
    expect(convert(bytes, column(code.string, 'binary(4)'))).toBe(bytes);
    expect(asSql(convert(Buffer.from('ffffffffffffffff', 'hex'), column(code.bit, 'bit(64)')))).toBe("X'ffffffffffffffff'");
    // A charset zongji cannot decode arrives as bytes, which the target stores unchanged.
    expect(convert(bytes, column(code.varchar, 'varchar(10)', 'dec8'))).toBe(bytes);
    expect(convert('{"a": 1.0}', column(code.json, 'json'))).toBe('{"a": 1.0}');
  });

  it('accepts U+FFFD in a Unicode column, where it is data', () => {
    expect(convert('a\uFFFDb', column(code.blob, 'text', 'utf8mb4'))).toBe('a\uFFFDb');
  });

  it('refuses U+FFFD in a latin1 column: zongji lost the byte it stands for', () => {
    const error = refusal('A\uFFFD', column(code.varchar, 'varchar(10)', 'latin1'));
    expect(error.details).toMatchObject({ column: 'c', columnType: 'varchar(10)', table: 'db.t' });
    expect(error.details.detail).toContain('U+FFFD');
  });

  it('refuses what zongji cannot decode exactly', () => {
    expect(refusal(undefined, column(code.enum, "enum('a','b')", 'utf8mb4')).details.detail).toContain('index 0');
    expect(refusal(undefined, column(code.long, 'int')).details.detail).toContain('no value');
    expect(refusal({ x: 1, y: 2 }, column(code.geometry, 'point')).details.detail).toContain('GEOMETRY');
    expect(refusal({ a: 1 }, column(code.json, 'json')).details.detail).toContain('object Object');
    expect(refusal(1, column(code.bit, 'bit(1)')).code).toBe('FERRY_ERR_VALUE_UNSUPPORTED');
    expect(refusal('abc', column(0, 'decimal(10,2)')).details.detail).toContain('type code 0');
  });

  it('gives mysql2 a multi-row INSERT it formats exactly', () => {
    const row: SqlValue[] = [null, 7, 18446744073709551615n, new SqlLiteral('-0.01'), '2038-01-19 03:14:07.999999', Buffer.from([0])];
    expect(mysql.format('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)', [...row, ...row])).toBe(
      "INSERT INTO t VALUES (NULL, 7, 18446744073709551615, -0.01, '2038-01-19 03:14:07.999999', X'00'), (NULL, 7, 18446744073709551615, -0.01, '2038-01-19 03:14:07.999999', X'00')",
    );
  });
});

describe('negative TIME carry (zongji decodes -01:00:00 as -00:63:64)', () => {
  const time: ColumnInfo = { name: 't', typeCode: 19, columnType: 'time', charset: null, unsigned: false };
  it('carries seconds and minutes that overflowed', () => {
    expect(toSqlValue('-684:05:64', time, 's.t')).toBe('-684:06:00');
    expect(toSqlValue('-00:63:64', time, 's.t')).toBe('-01:00:00');
    expect(toSqlValue('-838:59:59', time, 's.t')).toBe('-838:59:59');
    expect(toSqlValue('-00:00:01.500000', time, 's.t')).toBe('-00:00:01.500000');
    expect(toSqlValue('12:00:00', time, 's.t')).toBe('12:00:00');
  });
});
