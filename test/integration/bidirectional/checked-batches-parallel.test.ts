import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, inject, onTestFinished } from 'vitest';
import { CheckpointStore } from '../../../node/load/checkpoint-store.ts';
import { Loader } from '../../../node/load/loader.ts';
import { TargetTables } from '../../../node/load/target-tables.ts';
import { createTargetPool } from '../../../node/pipeline/target-pool.ts';
import type { Batch } from '../../../shared/model/change.ts';
import { createLogger } from '../../../shared/logging.ts';
import { testDatabase, testSchema } from '../../support/mariadb.ts';

const log = createLogger({ level: 'warn' });

/** How long the first batch's check holds back for the second batch's insert to land first (if it can start at all). */
const HOLD_MS = 5_000;

/**
 * The pool, with the conflict check of the batch inserting `checkedId` held back until a
 * statement inserting `otherId` has run on another connection (or HOLD_MS, when none can).
 */
function orderingPool(pool: Pool, checkedId: number, otherId: number): Pool {
  let otherWrote!: () => void;
  const wrote = new Promise<void>((resolve) => (otherWrote = resolve));
  const getConnection = async (): Promise<PoolConnection> => {
    const connection = await pool.getConnection();
    type Query = (sql: string, values?: unknown) => Promise<unknown>;
    const query = connection.query.bind(connection) as Query;
    (connection as unknown as { query: Query }).query = async (sql, values) => {
      const isCheck = typeof sql === 'string' && sql.endsWith(' FOR UPDATE') && sql.includes(String(checkedId));
      if (isCheck) await Promise.race([wrote, new Promise((resolve) => setTimeout(resolve, HOLD_MS))]);
      const answer = await query(sql, values);
      if (typeof sql === 'string' && sql.startsWith('INSERT INTO `') && sql.includes(`(${otherId},`)) otherWrote();
      return answer;
    };
    return connection;
  };
  return new Proxy(pool, { get: (target, name) => (name === 'getConnection' ? getConnection : Reflect.get(target, name) as unknown) });
}

describe('checked batches in parallel', () => {
  it('two checked batches of one table never wait out each other\'s locks: the later one\'s written row would block the earlier one\'s locking check until the lock wait timeout', async () => {
    const db = await testDatabase('db2');
    const schema = await testSchema(db, 'chk');
    await db.connection.query(`CREATE TABLE \`${schema}\`.items (id INT PRIMARY KEY, v VARCHAR(20))`);
    const { app } = inject('services').users;
    const pool = createTargetPool({ host: db.instance.host, port: db.instance.port, user: app.user, password: app.password }, 4, log);
    onTestFinished(() => pool.end());
    onTestFinished(async () => {
      for (const table of ['conflicts', 'checkpoints', 'fences']) await db.connection.query(`DELETE FROM _ferry.${table} WHERE pipeline = ?`, [schema]).catch(() => undefined);
    });
    const checkpoints = new CheckpointStore('mariadb', '_ferry', schema, 1, { scope: 'run', id: schema });
    const tables = new TargetTables(pool);
    const loader = new Loader({ pool: orderingPool(pool, 101, 200), flavor: 'mariadb', workers: 2, log, checkpoints, tables, errorPolicy: 'stop', conflicts: { pipeline: schema, side: { policy: 'source-wins', primary: true } } }, checkpoints, tables);
    await loader.open({ file: 'mysql-bin.000001', pos: 4 });
    const batch = (pos: number, ids: number[]): Batch => ({
      end: { file: 'mysql-bin.000001', pos }, transactions: 1, sourceTimestamp: 0, openedAt: Date.now(),
      changes: ids.map((id) => ({ schema, table: 'items', kind: 'insert' as const, after: { id, v: `v${id}` } })),
    });
    // Disjoint keys, so their write-sets alone would let them run at once; the first checks
    // three absent keys below the second's row.
    await loader.submit(batch(100, [100, 101, 102]));
    await loader.submit(batch(200, [200]));
    await loader.drain();
    const [rows] = await db.connection.query<RowDataPacket[]>(`SELECT id FROM \`${schema}\`.items ORDER BY id`);
    expect(rows.map((row) => Number(row.id))).toEqual([100, 101, 102, 200]);
  }, 240_000);
});
