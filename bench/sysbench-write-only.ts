import type { Connection } from 'mysql2/promise';
import { seededRandom } from '../shared/seeded-random.ts';

/**
 * sysbench's oltp_write_only workload (oltp_common.lua, defaults), written in TypeScript so the
 * benchmark needs no sysbench binary: tables sbtest1..N (id INT AUTO_INCREMENT, k INT, c
 * CHAR(120), pad CHAR(60), index on k), and transactions of one index update (k = k + 1), one
 * non-index update (c = random), and a delete then an insert of the same id. c and pad are
 * sysbench's random strings: groups of 11 random digits joined by '-' (10 groups for c, 5 for
 * pad), the data that makes sysbench rows compress as they do.
 */

export const SYSBENCH_SCHEMA = 'sbtest';

export interface SysbenchOptions {
  /** Where the tables are. @default SYSBENCH_SCHEMA */
  schema?: string;
  tables: number;
  tableSize: number;
  transactions: number;
  seed: number;
}

const generator = seededRandom;

/** sysbench's sb_rand_str('###########-...'): each '#' a random digit. */
function randomDigits(random: () => number, groups: number): string {
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) {
    let part = '';
    for (let d = 0; d < 11; d++) part += String(Math.floor(random() * 10));
    parts.push(part);
  }
  return parts.join('-');
}

const tableSql = (schema: string, n: number): string =>
  `CREATE TABLE ${schema}.sbtest${n} (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_${n} (k)) ENGINE=InnoDB`;

/** The tables' names, sbtest1..N. */
export const sysbenchTableNames = (options: Pick<SysbenchOptions, 'tables'>): string[] => Array.from({ length: options.tables }, (_, i) => `sbtest${i + 1}`);

/**
 * sysbench prepare: the tables, filled with tableSize rows each (the schema is created when
 * missing). The same seed gives the same rows, so servers prepared apart hold equal tables.
 */
export async function sysbenchPrepare(connection: Connection, options: SysbenchOptions): Promise<void> {
  const random = generator(options.seed);
  const schema = options.schema ?? SYSBENCH_SCHEMA;
  await connection.query(`CREATE DATABASE IF NOT EXISTS ${schema}`);
  for (let t = 1; t <= options.tables; t++) {
    await connection.query(tableSql(schema, t));
    for (let from = 1; from <= options.tableSize; from += 1000) {
      const rows: unknown[][] = [];
      for (let id = from; id < Math.min(from + 1000, options.tableSize + 1); id++) rows.push([id, Math.floor(random() * options.tableSize) + 1, randomDigits(random, 10), randomDigits(random, 5)]);
      await connection.query(`INSERT INTO ${schema}.sbtest${t} (id, k, c, pad) VALUES ?`, [rows]);
    }
  }
}

/** InnoDB's deadlock error: the transaction was rolled back. */
const ER_LOCK_DEADLOCK = 1213;

/**
 * sysbench run with oltp_write_only, split over the connections; returns the transactions
 * committed. Connections touch random rows, so two may deadlock: as sysbench does, the
 * rolled-back transaction runs again (same statements), so every one counted committed.
 */
export async function sysbenchWriteOnly(connections: Connection[], options: SysbenchOptions): Promise<number> {
  const perConnection = Math.ceil(options.transactions / connections.length);
  const counts = await Promise.all(
    connections.map(async (connection, index) => {
      const random = generator(options.seed * 31 + index + 1);
      const pick = (max: number): number => Math.floor(random() * max) + 1;
      let done = 0;
      for (; done < perConnection; done++) {
        const table = `${options.schema ?? SYSBENCH_SCHEMA}.sbtest${pick(options.tables)}`;
        // Drawn in sysbench's statement order, so a seed gives the rows it always gave.
        const updateK = [pick(options.tableSize)];
        const updateC = [randomDigits(random, 10), pick(options.tableSize)];
        const id = pick(options.tableSize);
        const statements: Array<[string, unknown[]]> = [
          [`UPDATE ${table} SET k = k + 1 WHERE id = ?`, updateK],
          [`UPDATE ${table} SET c = ? WHERE id = ?`, updateC],
          [`DELETE FROM ${table} WHERE id = ?`, [id]],
          [`INSERT INTO ${table} (id, k, c, pad) VALUES (?, ?, ?, ?)`, [id, pick(options.tableSize), randomDigits(random, 10), randomDigits(random, 5)]],
        ];
        for (;;) {
          try {
            await connection.query('BEGIN');
            for (const [sql, values] of statements) await connection.query(sql, values);
            await connection.query('COMMIT');
            break;
          } catch (error) {
            if ((error as { errno?: number }).errno !== ER_LOCK_DEADLOCK) throw error;
            await connection.query('ROLLBACK');
          }
        }
      }
      return done;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
