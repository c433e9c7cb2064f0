import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { onTestFinished } from 'vitest';
import { findFreeBase, restartMariaDb, servicesDown, servicesUp, stopMariaDb, type MariaDbInstance, type ServicesState } from '../../services/index.ts';
import { createLogger } from '../../shared/logging.ts';
import type { TestDatabase } from './mariadb.ts';

/**
 * A MariaDB server of the test's own (same settings as `bin/ferry services`), for tests that
 * restart it or purge its binlogs without disturbing the shared servers. Stopped afterwards.
 */
export interface ScratchMariaDb {
  instance: MariaDbInstance;
  url: string;
  replicationUrl: string;
  connect(): Promise<mysql.Connection>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function scratchMariaDb(): Promise<ScratchMariaDb> {
  return (await scratchMariaDbs(1))[0]!;
}

/** A scratch server as a TestDatabase (an app-user connection), e.g. a pair's own source. */
export async function scratchTestDatabase(): Promise<TestDatabase> {
  const scratch = await scratchMariaDb();
  return { instance: scratch.instance, connection: await scratch.connect(), url: scratch.url, replicationUrl: scratch.replicationUrl };
}

export interface ScratchOptions {
  /** More mariadbd options, e.g. ['--ssl-ca=F', '--ssl-cert=F', '--ssl-key=F']. @default [] */
  serverArgs?: string[];
}

/** `count` servers of the test's own, with distinct server ids and GTID domains (one can replicate another). */
export async function scratchMariaDbs(count: number, options: ScratchOptions = {}): Promise<ScratchMariaDb[]> {
  const log = createLogger({ level: 'warn' });
  const stateDir = mkdtempSync(join(tmpdir(), 'ferry-scratch-'));
  const base = await findFreeBase(Array.from({ length: count }, (_, i) => i));
  let state: ServicesState;
  try {
    state = await servicesUp({ stateDir, zkServers: 0, mariadb: count, mariadbPort: base, ...(options.serverArgs ? { mariadbArgs: options.serverArgs } : {}) }, log);
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  onTestFinished(async () => {
    await servicesDown(stateDir, log, { purge: true });
  });
  return state.mariadb.map((instance) => scratchHandle(state, instance, log));
}

function scratchHandle(state: ServicesState, instance: MariaDbInstance, log: ReturnType<typeof createLogger>): ScratchMariaDb {
  const { app, replication } = state.users;
  return {
    instance,
    url: `mysql://${app.user}:${app.password}@${instance.host}:${instance.port}`,
    replicationUrl: `mysql://${replication.user}:${replication.password}@${instance.host}:${instance.port}`,
    connect: async () => {
      const connection = await mysql.createConnection({ host: instance.host, port: instance.port, user: app.user, password: app.password, multipleStatements: true });
      onTestFinished(() => connection.end().catch(() => undefined));
      return connection;
    },
    restart: async () => {
      await restartMariaDb(state, instance.name, log);
    },
    stop: () => stopMariaDb(state, instance.name),
  };
}
