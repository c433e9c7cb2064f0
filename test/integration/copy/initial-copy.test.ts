import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { startFerry } from '../../support/ferry-process.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload, seededRandom } from '../../support/workload.ts';

/**
 * Issue #15, initial copy: a new pipeline with --initial-copy copies the rows the source
 * already holds while the source keeps taking writes, then streams; the tables end identical.
 * `accounts` has a secondary unique key whose values the load moves between rows (the case
 * where replaying the copy's window over newer copied rows collides), `pairs` a composite key.
 * Real MariaDB, `bin/ferry run` as a child process, killed with -9 in the middle of the copy.
 */

const ACCOUNTS = 'CREATE TABLE accounts (id INT PRIMARY KEY, email VARCHAR(60) NOT NULL, balance BIGINT NOT NULL, UNIQUE KEY (email))';
const PAIRS = 'CREATE TABLE pairs (a INT NOT NULL, b VARCHAR(20) NOT NULL, v VARCHAR(20) NULL, PRIMARY KEY (a, b))';
const ARCHIVE = 'CREATE TABLE a_archive (id INT PRIMARY KEY, note VARCHAR(40) NOT NULL)';
const ITEMS = 20_000;
const ACCOUNT_ROWS = 5_000;

async function filledSource(pair: ReplicationPair): Promise<void> {
  await pair.onBoth(`${ITEMS_TABLE}; ${ACCOUNTS}; ${PAIRS}`);
  const s = pair.source.connection;
  const items = Array.from({ length: ITEMS }, (_, i) => [i, `item-${i}`, i % 100, i % 3 === 0 ? null : `note ${i}`, `2026-12-07 10:00:00.${String(i).padStart(6, '0')}`]);
  for (let i = 0; i < items.length; i += 5000) await s.query(`INSERT INTO \`${pair.schema}\`.items VALUES ?`, [items.slice(i, i + 5000)]);
  await s.query(`INSERT INTO \`${pair.schema}\`.accounts VALUES ?`, [Array.from({ length: ACCOUNT_ROWS }, (_, i) => [i, `user${i}@example.com`, i * 10])]);
  await s.query(`INSERT INTO \`${pair.schema}\`.pairs VALUES ?`, [Array.from({ length: 900 }, (_, i) => [i % 30, `k${i}`, i % 4 === 0 ? null : `v${i}`])]);
}

/** Moves email addresses between accounts (a swap through a free value) and inserts and deletes accounts: unique-key churn. */
async function churnAccounts(connection: Connection, schema: string, transactions: number, seed: number, newIds: number): Promise<void> {
  const random = seededRandom(seed);
  for (let t = 0; t < transactions; t++) {
    const a = Math.floor(random() * ACCOUNT_ROWS);
    const b = Math.floor(random() * ACCOUNT_ROWS);
    await connection.query('BEGIN');
    const [rows] = await connection.query<RowDataPacket[]>(`SELECT id, email FROM \`${schema}\`.accounts WHERE id IN (?, ?) FOR UPDATE`, [a, b]);
    if (rows.length === 2 && a !== b) {
      const [first, second] = rows as Array<{ id: number; email: string }>;
      await connection.query(`UPDATE \`${schema}\`.accounts SET email = ? WHERE id = ?`, [`moving-${t}@example.com`, first!.id]);
      await connection.query(`UPDATE \`${schema}\`.accounts SET email = ?, balance = balance + 1 WHERE id = ?`, [first!.email, second!.id]);
      await connection.query(`UPDATE \`${schema}\`.accounts SET email = ? WHERE id = ?`, [second!.email, first!.id]);
    }
    if (t % 3 === 0) {
      // Accounts come and go: the one added three transactions ago goes.
      await connection.query(`DELETE FROM \`${schema}\`.accounts WHERE id = ?`, [newIds + t - 3]);
      await connection.query(`INSERT INTO \`${schema}\`.accounts VALUES (?, ?, 0)`, [newIds + t, `new${newIds + t}@example.com`]);
    }
    await connection.query('COMMIT');
  }
}

async function pairsWorkload(connection: Connection, schema: string, transactions: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  for (let t = 0; t < transactions; t++) {
    const a = Math.floor(random() * 40);
    if (random() < 0.5) await connection.query(`INSERT INTO \`${schema}\`.pairs VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)`, [a, `w${t % 50}`, `t${t}`]);
    else await connection.query(`DELETE FROM \`${schema}\`.pairs WHERE a = ? ORDER BY b LIMIT 2`, [a]);
  }
}

/** The copy state committed with the newest checkpoint of the pair's pipeline. */
async function copyState(pair: ReplicationPair): Promise<{ rows: number; until?: unknown } | null | undefined> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT copy_state FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1', [pair.schema]).catch(() => [[]] as unknown as [RowDataPacket[]]);
  const row = rows[0];
  if (row === undefined) return undefined;
  return row.copy_state === null ? null : (JSON.parse(String(row.copy_state)) as { rows: number; until?: unknown });
}

async function expectIdentical(pair: ReplicationPair): Promise<void> {
  for (const table of ['items', 'accounts', 'pairs']) await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, table, pair.schema, 300_000);
}

/**
 * The source's writes while the copy runs, round after round until stopped: the mixed workload
 * on items, unique-key churn on accounts, composite keys on pairs.
 */
function liveLoad(pair: ReplicationPair, seed: number): { rounds: () => number; stop: () => Promise<void> } {
  let stopping = false;
  let rounds = 0;
  const running = (async () => {
    const connection = await createConnection(pair.source.url);
    try {
      while (!stopping) {
        const round = seed + rounds * 10;
        await Promise.all([
          runMixedWorkload(pair.source.connection, pair.schema, { transactions: 10, seed: round, keySpace: ITEMS + 500 }),
          (async () => {
            await churnAccounts(connection, pair.schema, 10, round + 1, ACCOUNT_ROWS + rounds * 100);
            await pairsWorkload(connection, pair.schema, 5, round + 2);
          })(),
        ]);
        rounds++;
      }
    } finally {
      await connection.end();
    }
  })();
  return {
    rounds: () => rounds,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
}

/** Waits until the source has taken `more` further rounds of the load. */
async function moreRounds(load: ReturnType<typeof liveLoad>, more: number): Promise<void> {
  const target = load.rounds() + more;
  await expect.poll(() => load.rounds(), { timeout: 300_000 }).toBeGreaterThanOrEqual(target);
}

describe('bin/ferry run --initial-copy', () => {
  it('copies a source under a live write load and streams on: identical tables', async () => {
    const pair = await replicationPair();
    await filledSource(pair);
    const load = liveLoad(pair, 41);
    await moreRounds(load, 1);
    // Small chunks applied one at a time: the copy spans many rounds of writes.
    const ferry = startFerry(pair.runArgs(['--initial-copy', '--batch-rows', '50', '--parallel', '1']));
    const roundsAtStart = load.rounds();
    // Writes go on through the copy and past it.
    await expect.poll(() => copyState(pair), { timeout: 300_000 }).toBeNull();
    expect(load.rounds()).toBeGreaterThan(roundsAtStart);
    await moreRounds(load, 2);
    await load.stop();
    await expectIdentical(pair);
    expect(ferry.child.exitCode).toBeNull();
  });

  it('resumes a copy killed with -9 after its last committed chunk, not from zero: identical tables', async () => {
    const pair = await replicationPair();
    await filledSource(pair);
    // Copied first (name order) and never written by the load: its rows are witnesses.
    await pair.onBoth(ARCHIVE);
    await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.a_archive VALUES ?`, [Array.from({ length: 2_000 }, (_, i) => [i, `kept ${i}`])]);
    const load = liveLoad(pair, 77);
    // The 8th commit: some chunks are in, more are applying in parallel.
    const crashing = startFerry(pair.runArgs(['--initial-copy', '--batch-rows', '100']), { FERRY_FAULTS: 'before-commit:8' });
    expect(await crashing.exited).toBe('SIGKILL');
    const atCrash = await copyState(pair);
    expect(atCrash?.rows).toBeGreaterThan(0);
    expect(atCrash?.until).toBeUndefined();
    // A row the copy committed before the crash, changed on the target only: a copy that
    // started over would copy it again, one that resumes after its last chunk leaves it.
    const [copied] = await pair.target.connection.query<RowDataPacket[]>(`SELECT MIN(id) AS id FROM \`${pair.schema}\`.a_archive`);
    expect(copied[0]!.id).not.toBeNull();
    const witness = Number(copied[0]!.id);
    await pair.target.connection.query(`UPDATE \`${pair.schema}\`.a_archive SET note = 'witness' WHERE id = ?`, [witness]);

    const restarted = startFerry(pair.runArgs(['--initial-copy', '--batch-rows', '100']));
    await expect.poll(() => copyState(pair), { timeout: 300_000 }).toBeNull();
    await moreRounds(load, 2);
    await load.stop();
    const [after] = await pair.target.connection.query<RowDataPacket[]>(`SELECT note FROM \`${pair.schema}\`.a_archive WHERE id = ?`, [witness]);
    expect(after[0]?.note).toBe('witness');
    await pair.target.connection.query(`UPDATE \`${pair.schema}\`.a_archive SET note = ? WHERE id = ?`, [`kept ${witness}`, witness]);
    await expectIdentical(pair);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'a_archive');
    expect(restarted.child.exitCode).toBeNull();
  });
});
