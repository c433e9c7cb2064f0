import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { narrowRow } from './rows.ts';
import { chunkStarts } from './sql-runner.ts';
import { BENCH_SCHEMA, narrowTableSql, wideTableSql } from './tables.ts';

/** Ferry's system schema on the target (the pipeline default): checkpoints and conflicts. */
const SYSTEM_SCHEMA = '_ferry';
const ER_NO_SUCH_TABLE = 1146;
const SEED_ROWS_PER_STATEMENT = 1000;

/**
 * A fresh target for one run: the benchmark tables empty and no system schema, so the run
 * starts with no checkpoint and no conflict recorded. Outside the target's binlog: nothing
 * reads it, and it keeps the target's disk use flat over runs.
 */
export async function resetTarget(target: Connection): Promise<void> {
  await target.query(
    [
      'SET SESSION sql_log_bin = 0',
      `DROP DATABASE IF EXISTS ${BENCH_SCHEMA}`,
      `DROP DATABASE IF EXISTS ${SYSTEM_SCHEMA}`,
      `CREATE DATABASE ${BENCH_SCHEMA}`,
      narrowTableSql(BENCH_SCHEMA),
      wideTableSql(BENCH_SCHEMA),
      'SET SESSION sql_log_bin = 1',
    ].join(';\n'),
  );
}

/** Which narrow rows the changed-target run alters behind Ferry's back: `percent` in every 100 ids of the rows scenario (b) updates. */
export const changedRowsPredicate = (updatedRows: number, percent: number): string => `id < ${updatedRows} AND id % 100 < ${percent}`;

/**
 * The target as scenario (a) leaves it (the narrow rows, written directly), then `percent`%
 * of the rows scenario (b) will update changed behind Ferry's back. Each changed row's next
 * change in the backlog is (b)'s update, whose before image it no longer matches: exactly one
 * conflict per changed row, after which the row is the source's again. Returns how many rows
 * were changed.
 */
export async function seedChangedTarget(target: Connection, narrowInserts: number, updatedRows: number, percent: number): Promise<number> {
  await target.query('SET SESSION sql_log_bin = 0');
  try {
    for (const start of chunkStarts(0, narrowInserts, SEED_ROWS_PER_STATEMENT)) {
      const rows: string[] = [];
      for (let id = start; id < Math.min(start + SEED_ROWS_PER_STATEMENT, narrowInserts); id++) rows.push(narrowRow(id));
      await target.query(`INSERT INTO ${BENCH_SCHEMA}.narrow VALUES ${rows.join(',')}`);
    }
    const [result] = await target.query<ResultSetHeader>(`UPDATE ${BENCH_SCHEMA}.narrow SET qty = qty + 1000000, name = CONCAT('changed-', id) WHERE ${changedRowsPredicate(updatedRows, percent)}`);
    return result.affectedRows;
  } finally {
    await target.query('SET SESSION sql_log_bin = 1');
  }
}

/** Conflicts recorded on the target, or null when it has no conflicts table (no detection ran: Load without it). */
export async function recordedConflicts(target: Connection): Promise<number | null> {
  try {
    const [rows] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${SYSTEM_SCHEMA}.conflicts`);
    return Number(rows[0]?.n ?? 0);
  } catch (error) {
    if ((error as { errno?: number }).errno === ER_NO_SUCH_TABLE) return null;
    throw error;
  }
}
