import type { Connection, RowDataPacket } from 'mysql2/promise';
import { expect } from 'vitest';

/** CHECKSUM TABLE of one table (null when it does not exist). */
export async function checksum(connection: Connection, schema: string, table: string): Promise<string | null> {
  const [rows] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE \`${schema}\`.\`${table}\``);
  const value = rows[0]?.Checksum as number | string | null | undefined;
  return value === null || value === undefined ? null : String(value);
}

/** Every row as text, binary-safe (HEX of each column's bytes), ordered by the primary key. */
export async function dumpTable(connection: Connection, schema: string, table: string): Promise<string[]> {
  const [columns] = await connection.query<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table],
  );
  const [keys] = await connection.query<RowDataPacket[]>(
    "SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
    [schema, table],
  );
  const names = columns.map((c) => `\`${String(c.name)}\``);
  const order = (keys.length > 0 ? keys : columns).map((c) => `\`${String(c.name)}\``).join(',');
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT CONCAT_WS('|', ${names.map((n) => `IFNULL(HEX(${n}), 'NULL')`).join(',')}) AS r FROM \`${schema}\`.\`${table}\` ORDER BY ${order}`,
  );
  return rows.map((row) => String(row.r));
}

/** Waits until the target table's checksum equals the source's, then compares row by row. */
export async function expectTablesConverge(source: Connection, target: Connection, schema: string, table: string, targetSchema = schema, timeoutMs = 180_000): Promise<void> {
  await expect
    .poll(async () => (await checksum(target, targetSchema, table)) === (await checksum(source, schema, table)), { timeout: timeoutMs, interval: 200 })
    .toBe(true);
  expect(await dumpTable(target, targetSchema, table)).toEqual(await dumpTable(source, schema, table));
}
