import ZongJi from '@vlasky/zongji';
import { describe, expect, it, onTestFinished } from 'vitest';
import { testDatabase, testSchema } from '../../support/mariadb.ts';

interface SeenRow {
  table: string;
  rows: unknown[];
}

describe('MariaDB binlog through zongji', () => {
  it('reads back a row the test wrote', async () => {
    const db = await testDatabase('db1');
    const schema = await testSchema(db);
    await db.connection.query(`CREATE TABLE \`${schema}\`.items (id INT PRIMARY KEY, name VARCHAR(20))`);

    const { replication } = { replication: new URL(db.replicationUrl) };
    const seen: SeenRow[] = [];
    const zongji = new ZongJi({ host: db.instance.host, port: db.instance.port, user: replication.username, password: replication.password });
    const ready = new Promise<void>((resolve, reject) => {
      zongji.once('ready', () => resolve());
      zongji.once('error', reject);
    });
    zongji.on('binlog', (event: { getTypeName(): string; tableMap?: Record<number, { parentSchema: string; tableName: string }>; tableId?: number; rows?: unknown[] }) => {
      if (event.getTypeName() !== 'WriteRows' || event.tableId === undefined) return;
      const table = event.tableMap?.[event.tableId];
      if (table?.parentSchema === schema) seen.push({ table: table.tableName, rows: event.rows ?? [] });
    });
    zongji.start({ serverId: 9000 + Math.floor(Math.random() * 1000), startAtEnd: true, includeEvents: ['tablemap', 'writerows'] });
    onTestFinished(() => new Promise<void>((resolve) => { zongji.once('stopped', () => resolve()); zongji.stop(); }));
    await ready;

    await db.connection.query(`INSERT INTO \`${schema}\`.items VALUES (1, 'ferry')`);
    await expect.poll(() => seen.length, { timeout: 120_000 }).toBe(1);
    expect(seen[0]).toEqual({ table: 'items', rows: [{ id: 1, name: 'ferry' }] });
  });
});
