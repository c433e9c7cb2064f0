import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';

describe('bin/ferry run: rows the target refuses', () => {
  it('stops with the table, the key and the cause under errorPolicy stop', async () => {
    const pair = await replicationPair();
    await pair.source.connection.query(`CREATE TABLE \`${pair.schema}\`.notes (id INT PRIMARY KEY, body VARCHAR(50))`);
    await pair.target.connection.query(`CREATE TABLE \`${pair.schema}\`.notes (id INT PRIMARY KEY, body VARCHAR(5))`);
    const ferry = startFerry(pair.runArgs());
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.notes VALUES (1, 'ok'), (2, 'far too long for the target'), (3, 'ok')`);

    expect(await ferry.exited).toBe(1);
    expect(ferry.output()).toContain(`ferry: FERRY_ERR_APPLY_FAILED: cannot apply write to ${pair.schema}.notes key {"id":2}: Data too long for column 'body'`);
    const [rows] = await pair.target.connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${pair.schema}\`.notes`);
    expect(rows[0]?.n).toBe(0);
  });

  it('records and skips the refused row under errorPolicy skip, and applies the rest', async () => {
    const pair = await replicationPair();
    await pair.source.connection.query(`CREATE TABLE \`${pair.schema}\`.notes (id INT PRIMARY KEY, body VARCHAR(50))`);
    await pair.target.connection.query(`CREATE TABLE \`${pair.schema}\`.notes (id INT PRIMARY KEY, body VARCHAR(5))`);
    const ferry = startFerry(pair.runArgs(['--error-policy', 'skip']));
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.notes VALUES (1, 'ok'), (2, 'far too long for the target'), (3, 'ok')`);
    await pair.source.connection.query(`UPDATE \`${pair.schema}\`.notes SET body = 'fine' WHERE id = 3`);

    await expect
      .poll(async () => (await pair.target.connection.query<RowDataPacket[]>(`SELECT id, body FROM \`${pair.schema}\`.notes ORDER BY id`))[0], { timeout: 120_000 })
      .toEqual([{ id: 1, body: 'ok' }, { id: 3, body: 'fine' }]);
    const [skipped] = await pair.target.connection.query<RowDataPacket[]>('SELECT table_name, row_key, operation, error FROM _ferry.skipped_rows WHERE pipeline = ?', [pair.schema]);
    expect(skipped).toEqual([{ table_name: `${pair.schema}.notes`, row_key: '{"id":2}', operation: 'write', error: expect.stringContaining("Data too long for column 'body'") as unknown }]);
    expect(ferry.child.exitCode).toBeNull();
  });
});
