import mysql, { type Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../shared/logging.ts';
import { seededRandom } from '../shared/seeded-random.ts';
import { accountDelta } from './ledger-check.ts';
import { ACCOUNTS, CHAOS_SCHEMA } from './load-schema.ts';
import type { WriterGate } from './writer-gate.ts';

/** Up to 16 writers: a sequence number is counter * 16 + writer, unique without coordination. */
export const WRITER_SLOTS = 16;

/** The accounts a load updates: ids first .. first + count - 1. */
export interface AccountRange {
  first: number;
  count: number;
}

export interface LoadOptions {
  connect: () => Promise<Connection>;
  writers: number;
  /** Transactions a second per writer. */
  perSecond: number;
  seed: number;
  log: Logger;
  /** Passed between transactions: a switchover holds the writers there (chaos/writer-gate.ts). */
  gate?: WriterGate;
  /** The schema written. @default CHAOS_SCHEMA */
  schema?: string;
  /**
   * The accounts updated. Two loads writing one schema from two masters take disjoint ranges,
   * as an application writing active-active by unit would: no account is updated on both sides.
   * @default every account, 1 .. ACCOUNTS
   */
  accounts?: AccountRange;
  /**
   * The first writer slot: writer w writes as slot `writerOffset + w`, so loads with disjoint
   * slots write disjoint sequence numbers (and item ids) and draw their own random streams.
   * @default 0
   */
  writerOffset?: number;
}

/** The writer slots a load uses: refused when they run past WRITER_SLOTS (sequence numbers would collide). */
export function writerSlots(options: Pick<LoadOptions, 'writers' | 'writerOffset'>): number[] {
  const offset = options.writerOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset + options.writers > WRITER_SLOTS) {
    throw new RangeError(`writer slots ${offset} .. ${offset + options.writers - 1} run past the ${WRITER_SLOTS} slots`);
  }
  return Array.from({ length: options.writers }, (_, w) => offset + w);
}

/** The sequence number of a writer slot's n-th transaction (n from 1). */
export function sequenceNumber(slot: number, n: number): number {
  return n * WRITER_SLOTS + slot;
}

/** The account an update draws, from a random number in [0, 1). */
export function accountFor(range: AccountRange, roll: number): number {
  return range.first + Math.floor(roll * range.count);
}

/** What the writers know of their transactions, for the ledger check. */
export interface LoadOutcome {
  acked: Set<number>;
  /** Transactions whose COMMIT got no answer: committed or not, either is right once. */
  inDoubt: Set<number>;
  failed: number;
}

/**
 * Writers of small transactions on one master (the source, or a side of the bidirectional channel): insert an item, update an account, or delete
 * an item the writer inserted, each with its ledger row in the same transaction.
 */
export async function runLoad(options: LoadOptions, signal: AbortSignal): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { acked: new Set(), inDoubt: new Set(), failed: 0 };
  await Promise.all(writerSlots(options).map((w) => writer(w, options, outcome, signal)));
  return outcome;
}

/** Writer slot `w`: its stream of randoms depends on the seed and the slot only. */
async function writer(w: number, options: LoadOptions, outcome: LoadOutcome, signal: AbortSignal): Promise<void> {
  const random = seededRandom(options.seed * 31 + w + 1);
  const schema = options.schema ?? CHAOS_SCHEMA;
  const accounts = options.accounts ?? { first: 1, count: ACCOUNTS };
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
    const seq = sequenceNumber(w, ++counter);
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
        await connection.query(`DELETE FROM ${schema}.items WHERE id = ?`, [rowId]);
      } else if (roll < 0.5) {
        op = 'update';
        rowId = accountFor(accounts, random());
        await connection.query(`UPDATE ${schema}.accounts SET ops = ops + 1, balance = balance + ? WHERE id = ?`, [accountDelta(seq), rowId]);
      } else {
        op = 'insert';
        rowId = seq;
        await connection.query(`INSERT INTO ${schema}.items VALUES (?, ?, ?)`, [seq, seq, `item ${seq} of writer ${w} ${'x'.repeat(Math.floor(random() * 150))}`]);
      }
      await connection.query(`INSERT INTO ${schema}.ledger VALUES (?, ?, ?, ?, NOW(6))`, [seq, w, op, rowId]);
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
