import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { expect, onTestFinished } from 'vitest';
import { startFerry, type FerryProcess } from '../../support/ferry-process.ts';
import type { ScratchMariaDb } from '../../support/scratch-mariadb.ts';
import { checksum, dumpTable } from '../../support/tables.ts';
import { patient } from '../../support/waits.ts';
import { seededRandom } from '../../support/workload.ts';

/** One server of a bidirectional test: its scratch MariaDB and an app-user connection. */
export interface Master {
  server: ScratchMariaDb;
  connection: Connection;
}

export async function masters(servers: ScratchMariaDb[]): Promise<Master[]> {
  return Promise.all(servers.map(async (server) => ({ server, connection: await server.connect() })));
}

/** What a pipeline file of a test holds besides its name, ends and tables. */
export interface PipelineFileFields {
  bidirectional?: { mirror: string; primary?: boolean };
  ddl?: 'stop' | 'apply' | 'ignore';
  extra?: Record<string, unknown>;
}

/** Writes a pipeline file (JSON is YAML) from `from` to `to` for `tables`, and returns its path. */
export function pipelineFile(name: string, from: Master, to: Master, tables: string[], fields: PipelineFileFields = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bidi-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, `${name}.yaml`);
  const spec = {
    name,
    source: from.server.replicationUrl,
    target: to.server.url,
    tables,
    batch: { maxRows: 50, maxDelayMs: 20, maxBytes: 1_048_576 },
    ...(fields.bidirectional === undefined ? {} : { bidirectional: fields.bidirectional }),
    ...(fields.ddl === undefined ? {} : { ddl: fields.ddl }),
    ...fields.extra,
  };
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

/** `bin/ferry run --config file`, once it started streaming. */
export async function runPipeline(file: string): Promise<FerryProcess> {
  const ferry = startFerry(['run', '--config', file, '--progress-seconds', '1']);
  await expect.poll(() => ferry.output(), { timeout: patient(120_000) }).toContain('pipeline starting');
  return ferry;
}

export async function gtidBinlogPos(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
  return String(rows[0]!.pos);
}

/**
 * Waits until no server's binlog moved for `quietMs` (checked every 250 ms), within a generous
 * deadline: transactions bouncing between two masters never let this happen.
 */
export async function waitForQuietBinlogs(connections: Connection[], quietMs = 5_000, deadlineMs = patient(240_000)): Promise<string[]> {
  const deadline = performance.now() + deadlineMs;
  let last = await Promise.all(connections.map(gtidBinlogPos));
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    if (performance.now() > deadline) throw new Error(`binlogs still moving after ${deadlineMs} ms: ${last.join(' / ')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await Promise.all(connections.map(gtidBinlogPos));
    if (now.some((pos, i) => pos !== last[i])) {
      last = now;
      since = performance.now();
    }
  }
  return last;
}

/** Waits until the table has the same checksum on every server, then compares them row by row. */
export async function expectIdentical(connections: Connection[], schema: string, table: string): Promise<void> {
  const [first, ...others] = connections;
  await expect
    .poll(async () => {
      const sums = await Promise.all(connections.map((c) => checksum(c, schema, table)));
      return sums.every((sum) => sum === sums[0]);
    }, { timeout: patient(180_000), interval: 250 })
    .toBe(true);
  const rows = await dumpTable(first!, schema, table);
  for (const other of others) expect(await dumpTable(other, schema, table)).toEqual(rows);
}

export const ROWS_TABLE = `CREATE TABLE %s (
  id INT PRIMARY KEY,
  origin VARCHAR(8) NOT NULL,
  qty INT NOT NULL,
  note VARCHAR(64) NULL
)`;

/**
 * Inserts, updates and deletes of rows whose ids fall in [base, base + keySpace): two masters
 * writing disjoint ranges never touch the same row. Transactions of 1 to 5 statements.
 */
export async function rangeWorkload(connection: Connection, table: string, options: { base: number; transactions: number; seed: number; origin: string; keySpace?: number }): Promise<void> {
  const random = seededRandom(options.seed);
  const keySpace = options.keySpace ?? 200;
  for (let t = 0; t < options.transactions; t++) {
    try {
      await rangeTransaction(connection, table, random, options.base, keySpace, options.origin, t);
    } catch (error) {
      // A deadlock with Ferry's apply of the other master's rows (gap locks): rolled back, as
      // an application would see it; the servers are compared, not a model of the writes.
      if (![1213, 1205].includes((error as { errno?: number }).errno ?? 0)) throw error;
      await connection.query('ROLLBACK');
    }
  }
}

async function rangeTransaction(connection: Connection, table: string, random: () => number, base: number, keySpace: number, origin: string, t: number): Promise<void> {
  await connection.query('BEGIN');
  const statements = 1 + Math.floor(random() * 5);
  for (let s = 0; s < statements; s++) {
    const id = base + Math.floor(random() * keySpace);
    const roll = random();
    if (roll < 0.5) {
      await connection.query(`INSERT INTO ${table} (id, origin, qty, note) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE qty = qty + 1`, [id, origin, Math.floor(random() * 1000), `t${t}`]);
    } else if (roll < 0.8) {
      await connection.query(`UPDATE ${table} SET qty = qty + 1, note = ? WHERE id BETWEEN ? AND ?`, [`u${t}`, id, id + 2]);
    } else {
      await connection.query(`DELETE FROM ${table} WHERE id = ?`, [id]);
    }
  }
  await connection.query('COMMIT');
}

/** Runs the same SQL on every server, with `schema` as the default schema. */
export async function onEach(all: Master[], schema: string, sql: string): Promise<void> {
  for (const master of all) await master.connection.query(`CREATE DATABASE IF NOT EXISTS \`${schema}\`; USE \`${schema}\`; ${sql}`);
}
