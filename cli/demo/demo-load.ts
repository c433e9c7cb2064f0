import type { Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_SCHEMA } from './demo-schema.ts';

/**
 * A steady write load on the demo source: new customers, orders placed, paid, shipped or
 * cancelled, a few deleted, in small transactions, at about `perSecond` transactions a second.
 */
export async function runDemoLoad(connection: Connection, perSecond: number, signal: AbortSignal): Promise<number> {
  let transactions = 0;
  let customers = 0;
  const interval = 1000 / perSecond;
  const started = Date.now();
  while (!signal.aborted) {
    const roll = Math.random();
    if (roll < 0.15 || customers < 10) {
      customers++;
      await connection.query(`INSERT INTO ${DEMO_SCHEMA}.customers VALUES (?, ?, ?, NOW(6))`, [customers, `c${customers}@example.com`, `Customer ${customers} 🚢`]);
    } else if (roll < 0.6) {
      const customer = 1 + Math.floor(Math.random() * customers);
      await connection.query('BEGIN');
      await connection.query(
        `INSERT INTO ${DEMO_SCHEMA}.orders SELECT ?, COALESCE(MAX(order_no), 0) + 1, ?, 'new', NULL, NOW(6) FROM ${DEMO_SCHEMA}.orders WHERE customer_id = ?`,
        [customer, (Math.random() * 500).toFixed(2), customer],
      );
      await connection.query('COMMIT');
    } else if (roll < 0.95) {
      const status = ['paid', 'shipped', 'cancelled'][Math.floor(Math.random() * 3)];
      await connection.query(`UPDATE ${DEMO_SCHEMA}.orders SET status = ?, updated = NOW(6), note = ? WHERE customer_id = ? ORDER BY order_no LIMIT 3`, [status, `set ${status}`, 1 + Math.floor(Math.random() * customers)]);
    } else {
      await connection.query(`DELETE FROM ${DEMO_SCHEMA}.orders WHERE status = 'cancelled' LIMIT 5`);
    }
    transactions++;
    const due = started + transactions * interval - Date.now();
    if (due > 0) await sleep(due, undefined, { signal }).catch(() => undefined);
  }
  return transactions;
}
