import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FerryError } from '../shared/errors/index.ts';
import { mariadbdPath } from './install.ts';
import { isAlive, logTail, startDetached, waitFor } from './processes.ts';
import type { MariaDbInstance, ServicesState } from './state.ts';

const execFileAsync = promisify(execFile);

export function mariaDbLayout(stateDir: string, count: number, basePort: number): MariaDbInstance[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `db${index + 1}`;
    const dir = join(stateDir, name);
    return {
      name,
      host: '127.0.0.1',
      port: basePort + index,
      serverId: index + 1,
      gtidDomainId: index + 1,
      dir,
      socket: join(dir, 'mariadb.sock'),
      log: join(dir, 'mariadb.err'),
    };
  });
}

/** Small redo log: an empty data dir shrinks from 114 MB to 26 MB (measured with MariaDB 10.11). */
const INNODB_LOG = '--innodb-log-file-size=8M';

function serverArgs(db: MariaDbInstance): string[] {
  return [
    '--no-defaults',
    '--user=root',
    `--datadir=${join(db.dir, 'data')}`,
    `--socket=${db.socket}`,
    `--pid-file=${join(db.dir, 'mariadb.pid')}`,
    `--tmpdir=${db.dir}`,
    `--port=${db.port}`,
    `--bind-address=${db.host}`,
    '--skip-name-resolve',
    `--log-error=${db.log}`,
    `--server-id=${db.serverId}`,
    // Own GTID domain per instance: local writes on a replica never collide in domain 0.
    `--gtid-domain-id=${db.gtidDomainId}`,
    '--log-bin=mysql-bin',
    '--log-slave-updates',
    '--binlog-format=ROW',
    '--binlog-row-image=FULL',
    '--binlog-row-metadata=FULL',
    // Statement text in the binlog costs ~200 B per row and Ferry does not read it.
    '--binlog-annotate-row-events=OFF',
    '--max-binlog-size=256M',
    INNODB_LOG,
    '--innodb-buffer-pool-size=256M',
    // Survives a mariadbd crash (kill -9), not an OS crash: right for dev and test servers.
    '--innodb-flush-log-at-trx-commit=2',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--max-connections=500',
    ...(db.extraArgs ?? []),
  ];
}

function initialiseDataDir(db: MariaDbInstance): void {
  const dataDir = join(db.dir, 'data');
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return;
  mkdirSync(dataDir, { recursive: true });
  // Its own tmpdir: a bootstrap server starting in a shared /tmp removes the '#sql' temporary
  // tables of any other bootstrap running there, which then fails ("Unknown table
  // 'mysql.tmp_user_sys'"); seen when test runs and scratch servers start side by side.
  const result = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', '--user=root', `--datadir=${dataDir}`, `--tmpdir=${db.dir}`, '--auth-root-authentication-method=socket', '--skip-test-db', INNODB_LOG],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (result.status !== 0) {
    // The [ERROR] lines say why; the last line alone is only "Aborting".
    const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
    const errors = lines.filter((l) => /\[ERROR\]|error|failed/i.test(l) && !l.endsWith('Aborting'));
    const why = (errors.length > 0 ? errors.slice(0, 3) : lines.slice(-1)).join(' | ') || `exit status ${String(result.status ?? result.signal)}`;
    // Its whole output stays beside the data directory: the lines above are not always enough.
    const logFile = join(db.dir, 'install-db.log');
    writeFileSync(logFile, `exit ${String(result.status ?? result.signal)}${result.error ? ` (${result.error.message})` : ''}\n${result.stdout}\n${result.stderr}`);
    throw new FerryError('FERRY_ERR_SERVICES_START_FAILED', { what: `MariaDB ${db.name}`, detail: `mariadb-install-db failed: ${why} (whole output: ${logFile})` });
  }
}

export function launchMariaDb(db: MariaDbInstance): number {
  mkdirSync(db.dir, { recursive: true });
  initialiseDataDir(db);
  return startDetached(mariadbdPath(), serverArgs(db), join(db.dir, 'mariadbd.out'));
}

/** Runs SQL as root through the unix socket (root has no TCP login). */
export async function rootSql(db: MariaDbInstance, sql: string): Promise<string> {
  const { stdout } = await execFileAsync('mariadb', ['--no-defaults', '-uroot', `--socket=${db.socket}`, '--connect-timeout=2', '--batch', '--skip-column-names', '-e', sql], { timeout: 30_000 });
  return stdout;
}

export async function waitMariaDbReady(db: MariaDbInstance, signal?: AbortSignal, timeoutMs = 60_000): Promise<void> {
  const ready = await waitFor(async () => {
    if (db.pid !== undefined && !isAlive(db.pid)) {
      throw new FerryError('FERRY_ERR_SERVICES_START_FAILED', { what: `MariaDB ${db.name}`, detail: `exited; log ${db.log}: ${logTail(db.log)}` });
    }
    try {
      return (await rootSql(db, 'SELECT 1')).trim() === '1';
    } catch {
      return false;
    }
  }, timeoutMs, 100, signal);
  if (signal?.aborted) return;
  if (!ready) {
    throw new FerryError('FERRY_ERR_SERVICES_START_FAILED', { what: `MariaDB ${db.name}`, detail: `not ready after ${timeoutMs} ms; log ${db.log}: ${logTail(db.log)}` });
  }
}

const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Creates the application user (everything, for tests and loaders) and the replication user
 * (what a binlog reader needs). Kept out of the binlog so a replica set up later never
 * replays it. Idempotent: runs on every start.
 */
export async function bootstrapUsers(db: MariaDbInstance, users: ServicesState['users']): Promise<void> {
  const app = users.app;
  const repl = users.replication;
  await rootSql(
    db,
    [
      'SET sql_log_bin = 0',
      `CREATE USER IF NOT EXISTS ${quote(app.user)}@'%' IDENTIFIED BY ${quote(app.password)}`,
      `GRANT ALL PRIVILEGES ON *.* TO ${quote(app.user)}@'%' WITH GRANT OPTION`,
      `CREATE USER IF NOT EXISTS ${quote(repl.user)}@'%' IDENTIFIED BY ${quote(repl.password)}`,
      `GRANT REPLICATION SLAVE, BINLOG MONITOR, SELECT ON *.* TO ${quote(repl.user)}@'%'`,
    ].join(';\n'),
  );
}
