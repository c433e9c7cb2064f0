import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, inject, onTestFinished } from 'vitest';
import { CheckpointStore } from '../../../node/load/checkpoint-store.ts';
import { Loader } from '../../../node/load/loader.ts';
import { TargetTables } from '../../../node/load/target-tables.ts';
import { createTargetPool } from '../../../node/pipeline/target-pool.ts';
import type { Batch } from '../../../shared/model/change.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';
import { createLogger } from '../../../shared/logging.ts';
import { testDatabase, testSchema } from '../../support/mariadb.ts';

const log = createLogger({ level: 'warn' });

/** The pool, with `afterCheck` run on another connection right after Load's conflict check answered. */
function racingPool(pool: Pool, afterCheck: () => Promise<void>): Pool {
  const getConnection = async (): Promise<PoolConnection> => {
    const connection = await pool.getConnection();
    type Query = (sql: string, values?: unknown) => Promise<unknown>;
    const query = connection.query.bind(connection) as Query;
    (connection as unknown as { query: Query }).query = async (sql, values) => {
      const answer = await query(sql, values);
      if (typeof sql === 'string' && sql.endsWith(' FOR UPDATE') && (sql.startsWith('WITH v(') || sql.startsWith('SELECT 0,'))) await afterCheck();
      return answer;
    };
    return connection;
  };
  return new Proxy(pool, { get: (target, name) => (name === 'getConnection' ? getConnection : Reflect.get(target, name) as unknown) });
}

function loaderFor(pool: Pool, pipeline: string, onConflicts: (records: ConflictRecord[]) => void): Loader {
  const checkpoints = new CheckpointStore('mariadb', '_ferry', pipeline, 1, { scope: 'run', id: pipeline });
  const tables = new TargetTables(pool);
  return new Loader({ pool, flavor: 'mariadb', workers: 1, log, checkpoints, tables, errorPolicy: 'stop', conflicts: { pipeline, side: { policy: 'source-wins', primary: true } }, onConflicts }, checkpoints, tables);
}

describe('conflict detection under READ COMMITTED', () => {
  it('an application insert after the check found the key free is not overwritten: the batch fails retryably, and its retry records the conflict', async () => {
    const db = await testDatabase('db2');
    const schema = await testSchema(db, 'race');
    await db.connection.query(`CREATE TABLE \`${schema}\`.items (id INT PRIMARY KEY, v VARCHAR(20))`);
    const { app } = inject('services').users;
    const pool = createTargetPool({ host: db.instance.host, port: db.instance.port, user: app.user, password: app.password }, 3, log);
    onTestFinished(() => pool.end());
    onTestFinished(async () => {
      await db.connection.query('DELETE FROM _ferry.conflicts WHERE pipeline = ?', [schema]).catch(() => undefined);
      await db.connection.query('DELETE FROM _ferry.checkpoints WHERE pipeline = ?', [schema]).catch(() => undefined);
      await db.connection.query('DELETE FROM _ferry.fences WHERE pipeline = ?', [schema]).catch(() => undefined);
    });
    const batch = (): Batch => ({
      end: { file: 'mysql-bin.000001', pos: 1000 }, transactions: 1, sourceTimestamp: 0, openedAt: Date.now(),
      changes: [{ schema, table: 'items', kind: 'insert', after: { id: 7, v: 'source' } }],
    });
    const recorded: ConflictRecord[] = [];

    const racing = loaderFor(racingPool(pool, async () => {
      await db.connection.query(`INSERT INTO \`${schema}\`.items VALUES (7, 'application')`);
    }), schema, (records) => recorded.push(...records));
    await racing.open({ file: 'mysql-bin.000001', pos: 4 });
    await racing.submit(batch());
    await expect(racing.drain()).rejects.toMatchObject({ code: 'FERRY_ERR_TARGET_WRITE', retryable: true });
    const [held] = await db.connection.query<RowDataPacket[]>(`SELECT id, v FROM \`${schema}\`.items`);
    expect(held).toEqual([{ id: 7, v: 'application' }]);
    expect(recorded).toEqual([]);

    // The retry (a new attempt) sees the row and judges it.
    const retry = loaderFor(pool, schema, (records) => recorded.push(...records));
    await retry.open({ file: 'mysql-bin.000001', pos: 4 });
    await retry.submit(batch());
    await retry.drain();
    const [after] = await db.connection.query<RowDataPacket[]>(`SELECT id, v FROM \`${schema}\`.items`);
    expect(after).toEqual([{ id: 7, v: 'source' }]);
    expect(recorded).toMatchObject([{ pipeline: schema, table: `${schema}.items`, key: { id: 7 }, kind: 'exists', current: { id: 7, v: 'application' }, incoming: { id: 7, v: 'source' }, decision: 'applied' }]);
  });
});
