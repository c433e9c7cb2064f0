import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

const WAIT_MS = 240_000;

describe('bin/ferry run with passwords kept off the command line', () => {
  it('replicates with the source password from a file and the target password from the environment', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const { users } = inject('services');
    const dir = mkdtempSync(join(tmpdir(), 'ferry-run-pw-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const sourceFile = join(dir, 'source.pw');
    writeFileSync(sourceFile, `${users.replication.password}\n`, { mode: 0o600 });
    const hostPort = (db: typeof pair.source) => `${db.instance.host}:${db.instance.port}`;
    const args = [
      'run', '--source', `mysql://${users.replication.user}@${hostPort(pair.source)}`, '--source-password-file', sourceFile,
      '--target', `mysql://${users.app.user}@${hostPort(pair.target)}`, '--target-password-env', 'FERRY_TEST_TARGET_PW',
      '--tables', `${pair.schema}.*`, '--name', pair.schema, '--progress-seconds', '1',
    ];
    const ferry = startFerry(args, { FERRY_TEST_TARGET_PW: users.app.password });
    await expect.poll(async () => {
      const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [pair.schema]).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
      return Number(rows[0]?.n ?? 0);
    }, { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(0);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 80, seed: 91 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    expect(ferry.child.exitCode).toBeNull();
  }, WAIT_MS * 2);
});
