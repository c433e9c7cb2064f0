import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { testDatabase, testSchema } from '../../support/mariadb.ts';
import { scratchMariaDb } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';
import { isPortFree } from '../../../services/index.ts';

/** A scratch source server and a schema of the same name on it and on the shared target (db2). */
async function scratchPair() {
  const scratch = await scratchMariaDb();
  const target = await testDatabase('db2');
  const schema = await testSchema(target, 'f');
  const source = await scratch.connect();
  await source.query(`CREATE DATABASE \`${schema}\`; USE \`${schema}\`; ${ITEMS_TABLE}`);
  await target.connection.query(`USE \`${schema}\`; ${ITEMS_TABLE}`);
  const args = (extra: string[] = []) => ['run', '--source', scratch.replicationUrl, '--target', target.url, '--tables', `${schema}.*`, '--name', schema, '--progress-seconds', '1', ...extra];
  return { scratch, source, target, schema, args };
}

describe('bin/ferry run: source failures', () => {
  it('survives a source restart mid-stream without intervention', async () => {
    const pair = await scratchPair();
    const ferry = startFerry(pair.args());
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('pipeline starting');
    await runMixedWorkload(pair.source, pair.schema, { transactions: 150, seed: 3 });

    await pair.scratch.restart();
    const reconnected = await pair.scratch.connect();
    await runMixedWorkload(reconnected, pair.schema, { transactions: 150, seed: 4 });

    await expectTablesConverge(reconnected, pair.target.connection, pair.schema, 'items');
    expect(ferry.child.exitCode).toBeNull();
    expect(ferry.output()).toMatch(/"code":"FERRY_ERR_(SOURCE_UNREACHABLE|BINLOG_READ)".*retrying/);
  });

  it('stops with FERRY_ERR_BINLOG_PURGED when the source no longer holds the checkpoint', async () => {
    const pair = await scratchPair();
    const first = startFerry(pair.args());
    await expect.poll(() => first.output(), { timeout: 120_000 }).toContain('pipeline starting');
    await runMixedWorkload(pair.source, pair.schema, { transactions: 30, seed: 5 });
    await expectTablesConverge(pair.source, pair.target.connection, pair.schema, 'items');
    expect(await first.kill('SIGTERM')).toBe(0);

    // Changes the pipeline has not read, then their binlog purged.
    await runMixedWorkload(pair.source, pair.schema, { transactions: 30, seed: 6 });
    await pair.source.query('FLUSH BINARY LOGS');
    const binaryLogs = async () => ((await pair.source.query('SHOW BINARY LOGS'))[0] as Array<{ Log_name: string }>).map((log) => log.Log_name);
    const newest = (await binaryLogs()).at(-1)!;
    // The server keeps a file while the stopped reader's dump thread still holds it.
    await expect
      .poll(async () => {
        await pair.source.query(`PURGE BINARY LOGS TO '${newest}'`);
        return binaryLogs();
      }, { timeout: 120_000 })
      .toEqual([newest]);

    const second = startFerry(pair.args());
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/ferry: FERRY_ERR_BINLOG_PURGED: .*What to do: /);
  });

  it('keeps retrying with a clear error while the source is unreachable, and stops on SIGTERM', async () => {
    const pair = await scratchPair();
    await pair.scratch.stop();
    expect(await isPortFree(pair.scratch.instance.port)).toBe(true);
    const ferry = startFerry(pair.args());
    await expect.poll(() => ferry.output(), { timeout: 120_000 }).toContain('"code":"FERRY_ERR_SOURCE_UNREACHABLE"');
    expect(await ferry.kill('SIGTERM')).toBe(0);
  });
});

describe('bin/ferry run: refused configurations', () => {
  it('names a table without a key and starts nothing', async () => {
    const source = await testDatabase('db1');
    const target = await testDatabase('db2');
    const schema = await testSchema(source, 'k');
    await source.connection.query(`CREATE TABLE \`${schema}\`.keyed (id INT PRIMARY KEY); CREATE TABLE \`${schema}\`.heap (a INT, b INT)`);
    const ferry = startFerry(['run', '--source', source.replicationUrl, '--target', target.url, '--tables', `${schema}.*`, '--name', schema]);
    expect(await ferry.exited).toBe(1);
    expect(ferry.output()).toContain(`FERRY_ERR_TABLE_NO_KEY: table \`${schema}\`.\`heap\` has no primary key`);
    expect(ferry.output()).not.toContain('`keyed` has no');
  });

  it('reports a wrong source password and a wrong target password', async () => {
    const source = await testDatabase('db1');
    const target = await testDatabase('db2');
    const badSource = source.replicationUrl.replace(/:[^:@]*@/, ':wrong@');
    const first = startFerry(['run', '--source', badSource, '--target', target.url, '--tables', 'x.*']);
    expect(await first.exited).toBe(1);
    expect(first.output()).toMatch(/ferry: FERRY_ERR_SOURCE_ACCESS_DENIED: the source database 127\.0\.0\.1:\d+ refused user ferry_repl/);
    expect(first.output()).not.toContain('wrong');

    const badTarget = target.url.replace(/:[^:@]*@/, ':wrong@');
    const second = startFerry(['run', '--source', source.replicationUrl, '--target', badTarget, '--tables', 'x.*']);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/ferry: FERRY_ERR_TARGET_ACCESS_DENIED: the target database 127\.0\.0\.1:\d+ refused user ferry/);
  });
});
