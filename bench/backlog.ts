import type { Connection } from 'mysql2/promise';

export const BENCH_SCHEMA = 'bench';

/** A narrow table of about 100 bytes a row, as in STACK-FACTS' reference speeds. */
export const NARROW_TABLE = `CREATE TABLE ${BENCH_SCHEMA}.narrow (
  id INT PRIMARY KEY,
  name VARCHAR(40) NOT NULL,
  qty INT NOT NULL,
  at DATETIME(6) NOT NULL,
  price DECIMAL(10,2) NOT NULL
)`;

/** Writes `rows` inserts in transactions of `perTransaction` rows, deterministically. */
export async function writeInsertBacklog(connection: Connection, rows: number, perTransaction: number): Promise<void> {
  for (let first = 0; first < rows; first += perTransaction) {
    const values: string[] = [];
    for (let id = first; id < Math.min(rows, first + perTransaction); id++) {
      values.push(`(${id},'row-${id}-${'x'.repeat(20)}',${id % 1000},'2026-11-23 10:00:00.${String(id % 1_000_000).padStart(6, '0')}',${id % 10000}.25)`);
    }
    await connection.query(`INSERT INTO ${BENCH_SCHEMA}.narrow VALUES ${values.join(',')}`);
  }
}
