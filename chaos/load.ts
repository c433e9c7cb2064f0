import mysql, { type Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../shared/logging.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { accountDelta } from './ledger-check.ts';
import { ACCOUNTS, CHAOS_SCHEMA } from './load-schema.ts';
import type { WriterGate } from './writer-gate.ts';

/** Up to 16 writers: a sequence number is counter * 16 + writer, unique without coordination. */
const WRITER_SLOTS = 16;

export interface LoadOptions {
  connect: () => Promise<Connection>;
  writers: number;
  /** Transactions a second per writer. */
  perSecond: number;
  seed: number;
  log: Logger;
  /** Passed between transactions: a switchover holds the writers there (chaos/writer-gate.ts). */
  gate?: WriterGate;
}

/** What the writers know of their transactions, for the ledger check. */
export interface LoadOutcome {
  acked: Set<number>;
  /** Transactions whose COMMIT got no answer: committed or not, either is right once. */
  inDoubt: Set<number>;
  failed: number;
}

/**
 * Writers of small transactions on the source: insert an item, update an account, or delete
 * an item the writer inserted, each with its ledger row in the same transaction.
 */
export async function runLoad(options: LoadOptions, signal: AbortSignal): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { acked: new Set(), inDoubt: new Set(), failed: 0 };
  await Promise.all(Array.from({ length: Math.min(options.writers, WRITER_SLOTS) }, (_, w) => writer(w, options, outcome, signal)));
  return outcome;
}

async function writer(w: number, options: LoadOptions, outcome: LoadOutcome, signal: AbortSignal): Promise<void> {
  const random = seededRandom(options.seed * 31 + w + 1);
  const live: number[] = [];
  let connection: Connection | undefined;
  let counter = 0;
  const interval = 1000 / options.perSecond;
  // Nothing in the loop throws (a transaction's failure is caught), so leave() below always runs.
  options.gate?.join();
  while (!signal.aborted) {
    // Held here, between transactions; after a wait the master may be another server.
    if (await options.gate?.pass(signal)) {
      await connection?.end().catch(() => undefined);
      connection = undefined;
      if (signal.aborted) break;
    }
    const started = Date.now();
    const seq = ++counter * WRITER_SLOTS + w;
    const roll = random();
    let committing = false;
    try {
      connection ??= await options.connect();
      await connection.query('BEGIN');
      let op: 'insert' | 'update' | 'delete';
      let rowId: number;
      if (roll < 0.15 && live.length > 0) {
        op = 'delete';
        rowId = live.splice(Math.floor(random() * live.length), 1)[0]!;
        await connection.query(`DELETE FROM ${CHAOS_SCHEMA}.items WHERE id = ?`, [rowId]);
      } else if (roll < 0.5) {
        op = 'update';
        rowId = 1 + Math.floor(random() * ACCOUNTS);
        await connection.query(`UPDATE ${CHAOS_SCHEMA}.accounts SET ops = ops + 1, balance = balance + ? WHERE id = ?`, [accountDelta(seq), rowId]);
      } else {
        op = 'insert';
        rowId = seq;
        await connection.query(`INSERT INTO ${CHAOS_SCHEMA}.items VALUES (?, ?, ?)`, [seq, seq, `item ${seq} of writer ${w} ${'x'.repeat(Math.floor(random() * 150))}`]);
      }
      await connection.query(`INSERT INTO ${CHAOS_SCHEMA}.ledger VALUES (?, ?, ?, ?, NOW(6))`, [seq, w, op, rowId]);
      committing = true;
      await connection.query('COMMIT');
      outcome.acked.add(seq);
      if (op === 'insert') live.push(rowId);
    } catch (error) {
      if (committing) outcome.inDoubt.add(seq);
      else outcome.failed++;
      options.log.warn({ err: error, writer: w, seq }, 'chaos load transaction failed');
      await connection?.end().catch(() => undefined);
      connection = undefined;
      await sleep(500, undefined, { signal }).catch(() => undefined);
    }
    const due = started + interval - Date.now();
    if (due > 0) await sleep(due, undefined, { signal }).catch(() => undefined);
  }
  options.gate?.leave();
  await connection?.end().catch(() => undefined);
}

/** A connection factory for one server with the suite's app user. */
export function connector(host: string, port: number, user: string, password: string): () => Promise<Connection> {
  return () => mysql.createConnection({ host, port, user, password, connectTimeout: 5_000 });
}
