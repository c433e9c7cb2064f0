import type { Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../shared/errors/index.ts';
import { seededRandom } from '../shared/seeded-random.ts';

/** sysbench's oltp_write_only shape: an update of a number, an update of a string, a delete and an insert of the same id. */
const ROW_CHANGES_PER_TRANSACTION = 4;
/** InnoDB's deadlock error: the transaction was rolled back. */
const ER_LOCK_DEADLOCK = 1213;

export interface WriteLoadFigures {
  transactions: number;
  rowChanges: number;
  seconds: number;
  /** Row changes a second achieved (below the asked rate when the source could not keep up). */
  achievedRowsPerSecond: number;
}

/**
 * A steady write load on a table of ids 1..maxId: sysbench oltp_write_only's transactions
 * (qty + 1, a new name, a delete and an insert of the same id, random ids over the whole
 * table, so they fall both on rows a copy has passed and on rows it has yet to read), paced
 * against a fixed schedule over several connections until stopped. The table keeps its row
 * count; its contents change everywhere.
 */
export class SteadyWriteLoad {
  private stopped = false;
  private transactions = 0;
  private readonly startedAt = performance.now();
  private readonly done: Promise<void>;
  private failure: unknown;

  constructor(connections: Connection[], table: string, maxId: number, rowChangesPerSecond: number, seed = 15) {
    const intervalMs = (1000 * ROW_CHANGES_PER_TRANSACTION) / rowChangesPerSecond;
    let next = 0;
    this.done = Promise.all(
      connections.map(async (connection, index) => {
        const random = seededRandom(seed * 31 + index + 1);
        const pick = (): number => Math.floor(random() * maxId) + 1;
        while (!this.stopped) {
          const k = next++;
          const wait = this.startedAt + k * intervalMs - performance.now();
          if (wait > 0) await sleep(wait);
          if (this.stopped) return;
          const id = pick();
          const statements: Array<[string, unknown[]]> = [
            [`UPDATE ${table} SET qty = qty + 1 WHERE id = ?`, [pick()]],
            [`UPDATE ${table} SET name = ? WHERE id = ?`, [`load-${k}`, pick()]],
            [`DELETE FROM ${table} WHERE id = ?`, [id]],
            [`INSERT INTO ${table} (id, name, qty, at, price) VALUES (?, ?, ?, UTC_TIMESTAMP(6), ?)`, [id, `reinserted-${k}`, k % 1000, (k % 100000) / 100]],
          ];
          await this.commit(connection, statements);
          this.transactions++;
        }
      }),
    ).then(
      () => undefined,
      (error: unknown) => {
        // Kept for check() and stop(): a rejection nobody awaits yet would end the process.
        this.failure = error;
        this.stopped = true;
      },
    );
  }

  /** Transactions committed so far. */
  get committed(): number {
    return this.transactions;
  }

  /** Throws what a writer failed with, so a waiting caller fails fast. */
  check(): void {
    if (this.failure !== undefined) throw this.failure instanceof Error ? this.failure : new Error(describeError(this.failure));
  }

  private async commit(connection: Connection, statements: Array<[string, unknown[]]>): Promise<void> {
    for (;;) {
      try {
        await connection.query('BEGIN');
        for (const [sql, values] of statements) await connection.query(sql, values);
        await connection.query('COMMIT');
        return;
      } catch (error) {
        if ((error as { errno?: number }).errno !== ER_LOCK_DEADLOCK) throw error;
        await connection.query('ROLLBACK');
      }
    }
  }

  /** Stops after the transactions in flight commit; throws what a writer failed with. */
  async stop(): Promise<WriteLoadFigures> {
    this.stopped = true;
    await this.done;
    this.check();
    const seconds = (performance.now() - this.startedAt) / 1000;
    const rowChanges = this.transactions * ROW_CHANGES_PER_TRANSACTION;
    return { transactions: this.transactions, rowChanges, seconds, achievedRowsPerSecond: Math.round(rowChanges / seconds) };
  }
}
