import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { rootSql } from '../../../services/mariadb.ts';
import { runFerry } from '../../support/cli.ts';
import { startFerry } from '../../support/ferry-process.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';
import { replicationPair } from '../../support/mariadb.ts';
import { scratchMariaDbs, type ScratchMariaDb } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/** Generous: the machine is shared by many test runs. */
const WAIT_MS = 240_000;
const REPL = { user: 'tls_repl', password: 'tls-repl-pw' };
const APP = { user: 'tls_app', password: 'tls-app-pw' };

/** Users that exist only REQUIRE SSL: a plain connection as either is refused by the server. */
async function createTlsUsers(db: ScratchMariaDb): Promise<void> {
  await rootSql(db.instance, [
    'SET SESSION sql_log_bin = 0',
    `CREATE USER IF NOT EXISTS '${REPL.user}'@'%' IDENTIFIED BY '${REPL.password}' REQUIRE SSL`,
    `GRANT REPLICATION SLAVE, BINLOG MONITOR, SELECT ON *.* TO '${REPL.user}'@'%'`,
    `CREATE USER IF NOT EXISTS '${APP.user}'@'%' IDENTIFIED BY '${APP.password}' REQUIRE SSL`,
    `GRANT ALL ON *.* TO '${APP.user}'@'%'`,
  ].join('; '));
}

function url(db: ScratchMariaDb, who: { user: string; password: string }, query: string, host = '127.0.0.1'): string {
  return `mysql://${who.user}:${who.password}@${host}:${db.instance.port}?${query}`;
}

/** The checkpoint exists once the pipeline pinned its start: later writes are replicated. */
async function pipelineStarted(target: mysql.Connection, pipeline: string): Promise<void> {
  await expect.poll(async () => {
    const [rows] = await target.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [pipeline]).catch(() => [[{ n: 0 }]] as unknown as [RowDataPacket[]]);
    return Number(rows[0]?.n ?? 0);
  }, { timeout: WAIT_MS, interval: 250 }).toBeGreaterThan(0);
}

describe('TLS to MySQL', () => {
  let certs: TestCertificates;
  let source: ScratchMariaDb;
  let target: ScratchMariaDb;

  beforeAll(() => {
    certs = makeTestCertificates();
  });

  afterAll(() => certs.remove());

  /** Two servers with TLS (source and target), stopped at the end of the test that asked for them. */
  async function tlsServers(): Promise<void> {
    const servers = await scratchMariaDbs(2, {
      serverArgs: [`--ssl-ca=${certs.ca}`, `--ssl-cert=${certs.cert}`, `--ssl-key=${certs.key}`],
    });
    source = servers[0]!;
    target = servers[1]!;
    await createTlsUsers(source);
    await createTlsUsers(target);
  }

  it('bin/ferry run replicates under VERIFY_IDENTITY on source, binlog and target, as users that exist only REQUIRE SSL', async () => {
    await tlsServers();
    // The users are real proof only if the server refuses them in clear.
    const plain = await mysql.createConnection({ host: '127.0.0.1', port: source.instance.port, user: REPL.user, password: REPL.password }).then(
      async (c) => { await c.end(); return 'connected'; },
      (error: { errno?: number }) => error.errno,
    );
    expect(plain).toBe(1045);

    const schema = 'tls_shop';
    const src = await source.connect();
    const dst = await target.connect();
    for (const db of [src, dst]) {
      await db.query(`CREATE DATABASE ${schema}`);
      await db.query(`CREATE TABLE ${schema}.orders (id INT PRIMARY KEY, note VARCHAR(40))`);
    }

    const dir = mkdtempSync(join(tmpdir(), 'ferry-tls-run-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'pipeline.json');
    const endpoint = (db: ScratchMariaDb, who: typeof REPL) => ({ host: '127.0.0.1', port: db.instance.port, ...who, sslMode: 'VERIFY_IDENTITY', sslCa: certs.ca });
    writeFileSync(file, JSON.stringify({ name: 'tls-pipeline', source: endpoint(source, REPL), target: endpoint(target, APP), tables: [`${schema}.*`] }));
    const ferry = startFerry(['run', '--config', file, '--progress-seconds', '1']);
    onTestFinished((context) => {
      if (context.task.result?.state === 'fail') console.log(ferry.output().slice(-6000));
    });
    await pipelineStarted(dst, 'tls-pipeline');
    for (let id = 1; id <= 50; id++) await src.query(`INSERT INTO ${schema}.orders VALUES (?, ?)`, [id, `row ${id}`]);
    await src.query(`UPDATE ${schema}.orders SET note = 'changed' WHERE id % 7 = 0`);
    await src.query(`DELETE FROM ${schema}.orders WHERE id % 11 = 0`);
    await expectTablesConverge(src, dst, schema, 'orders', schema, WAIT_MS);
    expect(ferry.child.exitCode).toBeNull();
  }, WAIT_MS * 2);

  it('refuses a server certificate that another CA signed (VERIFY_CA), and a host name the certificate does not list (VERIFY_IDENTITY)', async () => {
    await tlsServers();
    const tables = ['--tables', 'tls_shop.*'];
    const wrongCa = await runFerry(['run', '--source', url(source, REPL, `ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(certs.otherCa)}`), '--target', url(target, APP, `ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(certs.ca)}`), ...tables], { timeoutMs: WAIT_MS });
    expect(wrongCa.code).not.toBe(0);
    expect(`${wrongCa.stdout}${wrongCa.stderr}`).toMatch(/FERRY_ERR_TLS_REFUSED/);
    expect(`${wrongCa.stdout}${wrongCa.stderr}`).toMatch(/TLS to the source 127\.0\.0\.1:\d+ failed under ssl-mode VERIFY_CA/);

    // The certificate names IP 127.0.0.1 only: `localhost` reaches the same server but is not its name.
    const wrongName = await runFerry(['run', '--source', url(source, REPL, `ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(certs.ca)}`), '--target', url(target, APP, `ssl-mode=VERIFY_IDENTITY&ssl-ca=${encodeURIComponent(certs.ca)}`, 'localhost'), ...tables], { timeoutMs: WAIT_MS });
    expect(wrongName.code).not.toBe(0);
    expect(`${wrongName.stdout}${wrongName.stderr}`).toMatch(/FERRY_ERR_TLS_REFUSED/);
    expect(`${wrongName.stdout}${wrongName.stderr}`).toMatch(/altnames/);
  }, WAIT_MS * 2);

  it('names a certificate file that cannot be read', async () => {
    const missing = join(certs.dir, 'no-such-ca.pem');
    const result = await runFerry(['run', '--source', `mysql://u:p@127.0.0.1:1?ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(missing)}`, '--target', 'mysql://u:p@127.0.0.1:2', '--tables', 'a.b'], { timeoutMs: WAIT_MS });
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/FERRY_ERR_TLS_FILE_UNREADABLE/);
    expect(`${result.stdout}${result.stderr}`).toContain(missing);
  }, WAIT_MS);

  it('PREFERRED connects in clear to servers that offer no TLS (the shared test servers), and replicates', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const preferred = (text: string) => `${text}?ssl-mode=PREFERRED`;
    const args = pair.runArgs();
    args[args.indexOf('--source') + 1] = preferred(pair.source.replicationUrl);
    args[args.indexOf('--target') + 1] = preferred(pair.target.url);
    const ferry = startFerry(args);
    await pipelineStarted(pair.target.connection, pair.schema);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 60, seed: 12 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, WAIT_MS);
    expect(ferry.child.exitCode).toBeNull();
  }, WAIT_MS * 2);
});
