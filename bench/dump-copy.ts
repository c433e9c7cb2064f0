import { spawn } from 'node:child_process';
import type { MariaDbInstance } from '../services/index.ts';

export interface Credentials {
  user: string;
  password: string;
}

export interface DumpCopy {
  seconds: number;
  rowsPerSecond: number;
}

/**
 * `mariadb-dump --single-transaction <db> <table> | mariadb <db>` from the source into an empty
 * database of the target, as a DBA would seed a replica: the dump's defaults (extended INSERTs,
 * keys disabled around the load), one consistent snapshot, no lock. Timed from the start of
 * the pipeline to the client's exit, after its last INSERT was committed (autocommit).
 * Passwords go through MYSQL_PWD, never the command line.
 */
export async function timeDumpCopy(from: { db: MariaDbInstance; credentials: Credentials }, to: { db: MariaDbInstance; credentials: Credentials }, schema: string, table: string, rows: number): Promise<DumpCopy> {
  const connect = (db: MariaDbInstance, credentials: Credentials): string => `--no-defaults -h ${db.host} -P ${db.port} -u ${credentials.user}`;
  const script = `set -o pipefail; MYSQL_PWD="$DUMP_SOURCE_PASSWORD" mariadb-dump ${connect(from.db, from.credentials)} --single-transaction ${schema} ${table} | MYSQL_PWD="$DUMP_TARGET_PASSWORD" mariadb ${connect(to.db, to.credentials)} ${schema}`;
  const startedAt = performance.now();
  const child = spawn('bash', ['-c', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DUMP_SOURCE_PASSWORD: from.credentials.password, DUMP_TARGET_PASSWORD: to.credentials.password },
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  const seconds = (performance.now() - startedAt) / 1000;
  if (code !== 0) throw new Error(`mariadb-dump | mariadb exited ${code}: ${Buffer.concat(stderr).toString('utf8').trim()}`);
  return { seconds, rowsPerSecond: Math.round(rows / seconds) };
}
