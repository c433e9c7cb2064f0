import { randomBytes } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';
import { rootSql } from '../../../services/mariadb.ts';
import type { ReplicationPair } from '../../support/mariadb.ts';

export interface SecretUsers {
  /** The password both users have: distinctive, so a search for it finds only real leaks. */
  password: string;
  source: { user: string; password: string };
  target: { user: string; password: string };
}

/**
 * A source (replication) and a target user of the test's own on the run's servers, with one
 * distinctive password, dropped when the test finishes. Created with sql_log_bin off, so the
 * statements stay out of the binlog that other tests' pipelines read.
 */
export async function secretUsers(pair: ReplicationPair): Promise<SecretUsers> {
  const tag = randomBytes(4).toString('hex');
  const password = `Qx7-sealed-${randomBytes(9).toString('hex')}-pw`;
  const source = { user: `sec_r_${tag}`, password };
  const target = { user: `sec_a_${tag}`, password };
  const { mariadb } = inject('services');
  const instanceOf = (port: number) => mariadb.find((db) => db.port === port)!;
  const sourceDb = instanceOf(pair.source.instance.port);
  const targetDb = instanceOf(pair.target.instance.port);
  await rootSql(sourceDb, [
    'SET SESSION sql_log_bin = 0',
    `CREATE USER '${source.user}'@'%' IDENTIFIED BY '${password}'`,
    `GRANT REPLICATION SLAVE, BINLOG MONITOR, SELECT ON *.* TO '${source.user}'@'%'`,
  ].join('; '));
  await rootSql(targetDb, [
    'SET SESSION sql_log_bin = 0',
    `CREATE USER '${target.user}'@'%' IDENTIFIED BY '${password}'`,
    `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, PROCESS ON *.* TO '${target.user}'@'%'`,
  ].join('; '));
  onTestFinished(async () => {
    await rootSql(sourceDb, `SET SESSION sql_log_bin = 0; DROP USER IF EXISTS '${source.user}'@'%'`);
    await rootSql(targetDb, `SET SESSION sql_log_bin = 0; DROP USER IF EXISTS '${target.user}'@'%'`);
  });
  return { password, source, target };
}
