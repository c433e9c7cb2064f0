import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, inject, onTestFinished } from 'vitest';
import { CheckpointStore } from '../../../node/load/checkpoint-store.ts';
import { EchoGuard } from '../../../node/load/echo-guard.ts';
import { keyOf } from '../../../node/load/key.ts';
import { Loader } from '../../../node/load/loader.ts';
import { TargetTables } from '../../../node/load/target-tables.ts';
import { createTargetPool } from '../../../node/pipeline/target-pool.ts';
import type { Batch, TargetChange } from '../../../shared/model/change.ts';
import type { ConflictRecord } from '../../../shared/model/conflict.ts';
import { createLogger } from '../../../shared/logging.ts';
import { testDatabase, testSchema } from '../../support/mariadb.ts';

const log = createLogger({ level: 'warn' });

describe('Load of an echo batch (docs/bidirectional.md, 3)', () => {
  it('applies a key only where the target holds its expected image as this direction wrote it, writes nothing where it holds the final one, skips the rest silently', async () => {
    const db = await testDatabase('db2');
    const schema = await testSchema(db, 'echo');
    await db.connection.query(`CREATE TABLE \`${schema}\`.items (id INT PRIMARY KEY, v VARCHAR(20), u INT NULL, UNIQUE KEY (u))`);
    // 1 expected (update), 2 already final, 3 moved on, 4 absent as its insert expects,
    // 5 holds a row where an insert expects none, 6 expected but its unique value is held by 9,
    // 7 expected, deleted by the echo; 8 moved on, its delete skipped; 10 absent as its insert
    // expects, but not by this direction's write (the application's insert and delete): skipped.
    await db.connection.query(`INSERT INTO \`${schema}\`.items VALUES (1, 'old', NULL), (2, 'new', NULL), (3, 'later', NULL), (5, 'mine', NULL), (6, 'old', NULL), (7, 'old', NULL), (8, 'later', NULL), (9, 'other', 60)`);
    const { app } = inject('services').users;
    const pool = createTargetPool({ host: db.instance.host, port: db.instance.port, user: app.user, password: app.password }, 2, log);
    onTestFinished(() => pool.end());
    onTestFinished(async () => {
      for (const table of ['conflicts', 'checkpoints', 'fences']) await db.connection.query(`DELETE FROM _ferry.${table} WHERE pipeline = ?`, [schema]).catch(() => undefined);
    });
    const recorded: ConflictRecord[] = [];
    // What this direction wrote before: the expected images of 1, 2, 3, 4, 6, 7 and 8, not 10's.
    const echoGuard = new EchoGuard();
    const wrote = (id: number, v: string | null) => echoGuard.wrote(`${schema}.items\u0000${keyOf({ id }, ['id'], true)}`, v === null ? null : { id, v, u: null });
    for (const id of [1, 2, 3, 6, 7, 8]) wrote(id, 'old');
    wrote(4, null);
    const checkpoints = new CheckpointStore('mariadb', '_ferry', schema, 1, { scope: 'run', id: schema });
    const tables = new TargetTables(pool);
    const loader = new Loader({
      pool, flavor: 'mariadb', workers: 1, log, checkpoints, tables, errorPolicy: 'stop',
      conflicts: { pipeline: schema, side: { policy: 'primary-wins', primary: true }, echoGuard }, onConflicts: (records) => recorded.push(...records),
    }, checkpoints, tables);
    await loader.open({ file: 'mysql-bin.000001', pos: 4 });
    const update = (id: number, before: string, after: string, u: number | null = null): TargetChange => ({ schema, table: 'items', kind: 'update', before: { id, v: before, u: null }, after: { id, v: after, u } });
    const changes: TargetChange[] = [
      update(1, 'old', 'new'),
      update(2, 'old', 'new'),
      update(3, 'old', 'new'),
      { schema, table: 'items', kind: 'insert', after: { id: 4, v: 'new', u: null } },
      { schema, table: 'items', kind: 'insert', after: { id: 5, v: 'new', u: null } },
      update(6, 'old', 'new', 60),
      { schema, table: 'items', kind: 'delete', before: { id: 7, v: 'old', u: null } },
      { schema, table: 'items', kind: 'delete', before: { id: 8, v: 'old', u: null } },
      { schema, table: 'items', kind: 'insert', after: { id: 10, v: 'new', u: null } },
    ];
    const batch: Batch = { end: { file: 'mysql-bin.000001', pos: 1000 }, transactions: 1, sourceTimestamp: 0, openedAt: Date.now(), changes, echo: true };
    await loader.submit(batch);
    await loader.drain();
    const [rows] = await db.connection.query<RowDataPacket[]>(`SELECT id, v, u FROM \`${schema}\`.items ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, v: 'new', u: null },
      { id: 2, v: 'new', u: null },
      { id: 3, v: 'later', u: null },
      { id: 4, v: 'new', u: null },
      { id: 5, v: 'mine', u: null },
      { id: 6, v: 'old', u: null },
      { id: 8, v: 'later', u: null },
      { id: 9, v: 'other', u: 60 },
    ]);
    expect(recorded).toEqual([]);
    const [listed] = await db.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.conflicts WHERE pipeline = ?', [schema]);
    expect(Number(listed[0]!.n)).toBe(0);
  });
});
