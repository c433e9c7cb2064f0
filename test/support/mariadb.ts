import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { inject, onTestFinished } from 'vitest';
import type { MariaDbInstance } from '../../services/index.ts';

export interface TestDatabase {
  instance: MariaDbInstance;
  /** Connection as the application user, closed when the test finishes. */
  connection: mysql.Connection;
  url: string;
  replicationUrl: string;
}

/** One of the run's MariaDB instances, by name (db1, db2), with an app-user connection. */
export async function testDatabase(name = 'db1'): Promise<TestDatabase> {
  const services = inject('services');
  const instance = services.mariadb.find((db) => db.name === name);
  if (!instance) throw new Error(`no MariaDB instance ${name} in the test services`);
  const { app, replication } = services.users;
  const connection = await mysql.createConnection({ host: instance.host, port: instance.port, user: app.user, password: app.password, multipleStatements: true });
  onTestFinished(() => connection.end());
  return {
    instance,
    connection,
    url: `mysql://${app.user}:${app.password}@${instance.host}:${instance.port}`,
    replicationUrl: `mysql://${replication.user}:${replication.password}@${instance.host}:${instance.port}`,
  };
}

/** A schema of the test's own on the given database, dropped when the test finishes. */
export async function testSchema(db: TestDatabase, prefix = 't'): Promise<string> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  await db.connection.query(`CREATE DATABASE \`${schema}\``);
  // Own connection: the test's may already be closed when this runs.
  onTestFinished(async () => {
    const { app } = inject('services').users;
    const cleaner = await mysql.createConnection({ host: db.instance.host, port: db.instance.port, user: app.user, password: app.password });
    await cleaner.query(`DROP DATABASE IF EXISTS \`${schema}\``);
    await cleaner.end();
  });
  return schema;
}

/** A source (db1) and a target (db2) with a schema of the same fresh name on both. */
export interface ReplicationPair {
  source: TestDatabase;
  target: TestDatabase;
  schema: string;
  /** Arguments of `bin/ferry run` for this pair: its own pipeline name, the schema's tables. */
  runArgs(extra?: string[]): string[];
  /** Runs the same SQL on source and target (table definitions). */
  onBoth(sql: string): Promise<void>;
}

/**
 * `source`: another source than the shared db1, for tests that write what stops every
 * pipeline reading past it (a two-phase XA transaction): the shared binlog is read by the
 * other tests' pipelines too.
 */
export async function replicationPair(options: { source?: TestDatabase } = {}): Promise<ReplicationPair> {
  const source = options.source ?? (await testDatabase('db1'));
  const target = await testDatabase('db2');
  const schema = await testSchema(source, 'r');
  await target.connection.query(`CREATE DATABASE \`${schema}\``);
  onTestFinished(async () => {
    const { app } = inject('services').users;
    const cleaner = await mysql.createConnection({ host: target.instance.host, port: target.instance.port, user: app.user, password: app.password });
    await cleaner.query(`DROP DATABASE IF EXISTS \`${schema}\``);
    await cleaner.query('DELETE FROM _ferry.checkpoints WHERE pipeline = ?', [schema]).catch(() => undefined);
    await cleaner.end();
  });
  return {
    source,
    target,
    schema,
    runArgs: (extra = []) => ['run', '--source', source.replicationUrl, '--target', target.url, '--tables', `${schema}.*`, '--name', schema, '--progress-seconds', '1', ...extra],
    onBoth: async (sql) => {
      await source.connection.query(`USE \`${schema}\`; ${sql}`);
      await target.connection.query(`USE \`${schema}\`; ${sql}`);
    },
  };
}
