import type { MariaDbInstance, ServicesState } from '../services/index.ts';
import { compareTables } from './compare.ts';
import { CHAOS_SCHEMA } from './load-schema.ts';
import { adminConnection, binlogPosition, replicateFrom, waitApplied } from './native-replication.ts';

/**
 * The source group's standby: a server of its own replicating natively from the master by GTID,
 * from the start (so it gets the schema, and everything after, from the master's binlog).
 */
export async function startStandby(standby: MariaDbInstance, master: MariaDbInstance, users: ServicesState['users']): Promise<void> {
  const connection = await adminConnection(standby, users);
  try {
    await replicateFrom(connection, master, users);
  } finally {
    await connection.end();
  }
}

/** Waits until `standby` has applied everything `master` has logged now. */
export async function standbyCaughtUp(master: MariaDbInstance, standby: MariaDbInstance, users: ServicesState['users'], seconds: number): Promise<void> {
  const [m, s] = [await adminConnection(master, users), await adminConnection(standby, users)];
  try {
    await waitApplied(s, await binlogPosition(m), seconds, `${standby.name} (the standby)`);
  } finally {
    await m.end().catch(() => undefined);
    await s.end().catch(() => undefined);
  }
}

/** What the end's comparison of the standby with its master found. */
export interface StandbyComparison {
  /** "standby db3 (master db1)". */
  what: string;
  tables: number;
  rows: number;
  /** One line per difference (empty when the same). */
  problems: string[];
}

/**
 * At the end: the standby must hold what the master holds, every table compared as against the
 * target (count, CHECKSUM TABLE, digest of every row), once it applied the master's position.
 */
export async function compareStandby(master: MariaDbInstance, standby: MariaDbInstance, users: ServicesState['users']): Promise<StandbyComparison> {
  const what = `standby ${standby.name} (master ${master.name})`;
  try {
    await standbyCaughtUp(master, standby, users, 120);
  } catch (error) {
    return { what, tables: 0, rows: 0, problems: [`${what}: ${(error as Error).message}`] };
  }
  const [m, s] = [await adminConnection(master, users), await adminConnection(standby, users)];
  try {
    const tables = await compareTables(m, s, CHAOS_SCHEMA);
    const problems = tables.filter((t) => !t.same).map((t) => `${what} table ${t.table}: ${t.detail ?? 'differs'}`);
    return { what, tables: tables.length, rows: tables.reduce((sum, t) => sum + t.sourceRows, 0), problems };
  } finally {
    await m.end().catch(() => undefined);
    await s.end().catch(() => undefined);
  }
}
