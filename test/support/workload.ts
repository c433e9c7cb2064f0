import type { Connection } from 'mysql2/promise';
import { seededRandom } from '../../shared/seeded-random.ts';

export { seededRandom };

export const ITEMS_TABLE = `CREATE TABLE items (
  id INT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  qty INT NOT NULL,
  note TEXT NULL,
  updated DATETIME(6) NOT NULL
)`;

/**
 * Mixed inserts, updates (some moving the primary key) and deletes, in transactions of 1 to
 * `maxStatements` statements, some of them rolled back. Returns the number of committed transactions.
 */
export async function runMixedWorkload(connection: Connection, schema: string, options: { transactions: number; seed: number; maxStatements?: number; keySpace?: number }): Promise<number> {
  const random = seededRandom(options.seed);
  const keySpace = options.keySpace ?? 500;
  const maxStatements = options.maxStatements ?? 8;
  let committed = 0;
  for (let t = 0; t < options.transactions; t++) {
    await connection.query('BEGIN');
    const statements = 1 + Math.floor(random() * maxStatements);
    for (let s = 0; s < statements; s++) {
      const id = Math.floor(random() * keySpace);
      const roll = random();
      const when = `2026-11-23 10:00:00.${String(Math.floor(random() * 1_000_000)).padStart(6, '0')}`;
      if (roll < 0.45) {
        await connection.query(`INSERT INTO \`${schema}\`.items VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE qty = qty + 1`, [id, `item-${id}-${t}`, Math.floor(random() * 1000), random() < 0.3 ? null : `note ${t}`, when]);
      } else if (roll < 0.75) {
        await connection.query(`UPDATE \`${schema}\`.items SET qty = qty + ?, name = ?, updated = ? WHERE id BETWEEN ? AND ?`, [1 + Math.floor(random() * 5), `upd-${t}`, when, id, id + Math.floor(random() * 3)]);
      } else if (roll < 0.82) {
        // Moves a row to another key; may collide, which the workload tolerates.
        await connection.query(`UPDATE IGNORE \`${schema}\`.items SET id = ? WHERE id = ?`, [keySpace + Math.floor(random() * keySpace), id]);
      } else {
        await connection.query(`DELETE FROM \`${schema}\`.items WHERE id BETWEEN ? AND ?`, [id, id + Math.floor(random() * 4)]);
      }
    }
    if (random() < 0.1) {
      await connection.query('ROLLBACK');
    } else {
      await connection.query('COMMIT');
      committed++;
    }
  }
  return committed;
}
