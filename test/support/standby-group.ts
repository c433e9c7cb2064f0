import type { Connection, RowDataPacket } from 'mysql2/promise';
import { expect, inject, onTestFinished } from 'vitest';
import { testDatabase, type TestDatabase } from './mariadb.ts';
import { scratchMariaDbs, type ScratchMariaDb } from './scratch-mariadb.ts';
import { ITEMS_TABLE } from './workload.ts';

/** A source group for a switchover: a master, a standby replicating from it natively, and a target. */
export interface StandbyGroup {
  master: ScratchMariaDb;
  standby: ScratchMariaDb;
  masterDb: Connection;
  standbyDb: Connection;
  target: TestDatabase;
  /** A schema with the items table on the master (and so on the standby) and on the target. */
  schema: string;
  /** Waits until the standby holds the master's whole binlog position. */
  caughtUp: () => Promise<void>;
}

/** Two scratch servers, the standby replicating from the master by GTID, and the shared target's db2; cleaned up after the test. */
export async function standbyGroup(prefix: string): Promise<StandbyGroup> {
  const [master, standby] = await scratchMariaDbs(2);
  const masterDb = await master!.connect();
  const standbyDb = await standby!.connect();
  const target = await testDatabase('db2');
  const schema = `${prefix}_${Date.now().toString(36)}`;
  const { users } = inject('services');
  // The app user may run CHANGE MASTER on the scratch servers.
  await standbyDb.query('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos', [master!.instance.host, master!.instance.port, users.replication.user, users.replication.password]);
  await standbyDb.query('START SLAVE');
  await masterDb.query(`CREATE DATABASE \`${schema}\`; USE \`${schema}\`; ${ITEMS_TABLE}`);
  await target.connection.query(`CREATE DATABASE \`${schema}\`; USE \`${schema}\`; ${ITEMS_TABLE}`);
  onTestFinished(async () => {
    await target.connection.query(`DROP DATABASE IF EXISTS \`${schema}\``).catch(() => undefined);
    await target.connection.query('DELETE FROM _ferry.checkpoints WHERE pipeline = ?', [schema]).catch(() => undefined);
  });
  const caughtUp = async () => {
    const [[position]] = await masterDb.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS gtid');
    const [[waited]] = await standbyDb.query<RowDataPacket[]>('SELECT MASTER_GTID_WAIT(?, 60) AS result', [position!.gtid]);
    expect(waited!.result).toBe(0);
  };
  return { master: master!, standby: standby!, masterDb, standbyDb, target, schema, caughtUp };
}
