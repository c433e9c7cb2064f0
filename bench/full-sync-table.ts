import type { Connection } from 'mysql2/promise';
import { narrowTableSql } from './tables.ts';

/** The full-sync benchmark's schema and table: bench.narrow's definition (INT key, VARCHAR, INT, DATETIME(6), DECIMAL; about 100 B a row). */
export const FULL_SYNC_SCHEMA = 'fullsync';
export const FULL_SYNC_TABLE = 'narrow';
export const FULL_SYNC_QUALIFIED = `${FULL_SYNC_SCHEMA}.${FULL_SYNC_TABLE}`;

/** An empty database holding the empty table (Ferry's copy writes into an existing table). */
export async function createEmptyTable(connection: Connection, schema = FULL_SYNC_SCHEMA): Promise<void> {
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; ${narrowTableSql(schema)}`);
}

/** An empty database without the table: what mariadb-dump's output creates it in. */
export async function createEmptyDatabase(connection: Connection, schema = FULL_SYNC_SCHEMA): Promise<void> {
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}`);
}

/** Rows per INSERT ... SELECT: one transaction of this size keeps the undo log and binlog cache small. */
const FILL_STEP = 100_000;

/**
 * Fills `schema.narrow` (created anew) with rows of ids 1..rows, each a function of its id
 * alone (SEQUENCE engine), so filling two servers the same way gives identical tables.
 */
export async function fillTable(connection: Connection, rows: number, schema = FULL_SYNC_SCHEMA): Promise<void> {
  await createEmptyTable(connection, schema);
  // seq_* tables resolve in the current database (a known MariaDB trap).
  await connection.query(`USE ${schema}`);
  for (let from = 1; from <= rows; from += FILL_STEP) {
    const to = Math.min(from + FILL_STEP - 1, rows);
    await connection.query(
      `INSERT INTO ${schema}.${FULL_SYNC_TABLE} (id, name, qty, at, price)
       SELECT seq, CONCAT('name-', seq, '-', CRC32(seq)), seq % 1000, TIMESTAMPADD(SECOND, seq, '2026-01-01 00:00:00.123456'), (seq % 100000) / 100
       FROM seq_${from}_to_${to}`,
    );
  }
}
