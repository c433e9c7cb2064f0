import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../shared/errors/index.ts';
import { reachedGtid } from './gtid-pos.ts';
import type { LagFigures } from './lag.ts';
import { lagFiguresOf, positionCovering, visibilityLagsMs, type PositionSample, type ProbeCommit } from './lag-samples.ts';
import { BENCH_SCHEMA, LAG_TABLE } from './tables.ts';

const ROWS_PER_TRANSACTION = 10;
const ARRIVAL_LIMIT_MS = 300_000;
/** Pause between one poll's answer and the next poll: the resolution, about 1 ms (timers round up). */
const POLL_PAUSE_MS = 1;

/** How often a poller checks the observed path's process (it reads /proc): not every poll. */
const CHECK_EVERY_MS = 100;
const WAIT_STEP_MS = 20;

/**
 * A copy whose applied position the benchmark polls: the native replica's @@gtid_slave_pos,
 * or Ferry's checkpoint row. Neither needs anything on the copy's tables.
 */
export interface PositionObserver {
  name: string;
  /** A connection of its own: the poller keeps it busy. */
  connection: Connection;
  /** The copy's applied GTID position now; undefined while it has none. */
  position: (connection: Connection) => Promise<string | undefined>;
  /** Throws when the path's process is gone, so a dead path fails fast instead of timing out. */
  check?: () => void;
}

/** @@gtid_slave_pos: what a MariaDB replica's SQL thread has committed. */
export async function replicaPosition(connection: Connection): Promise<string | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_slave_pos AS g');
  return (rows[0]?.g as string | null | undefined) || undefined;
}

/**
 * Polls one observer every POLL_PAUSE_MS or so (the next query about a millisecond after the
 * answer), keeping a sample whenever the position changed: at most one per transaction
 * applied. Not a tight loop: on a 2-core host two pollers running flat out took CPU from the
 * very servers and process whose lag they measure (thousands of queries a second each).
 */
class PositionPoller {
  readonly samples: PositionSample[] = [];
  private polls = 0;
  private stopped = false;
  private failure: unknown;
  private readonly startedAt = performance.now();
  private readonly done: Promise<void>;

  constructor(private readonly observer: PositionObserver) {
    this.done = this.loop().catch((error: unknown) => {
      this.failure = error;
    });
  }

  private async loop(): Promise<void> {
    let checkedAt = 0;
    while (!this.stopped) {
      const position = await this.observer.position(this.observer.connection);
      const at = performance.now();
      this.polls++;
      if (position !== undefined && position !== this.samples[this.samples.length - 1]?.position) this.samples.push({ at, position });
      if (at - checkedAt > CHECK_EVERY_MS) {
        this.observer.check?.();
        checkedAt = at;
      }
      // Also keeps a position answered without I/O (a cached one) from starving the event loop.
      await sleep(POLL_PAUSE_MS);
    }
  }

  /** Throws what the loop failed with. */
  check(): void {
    if (this.failure !== undefined) throw this.failure instanceof Error ? this.failure : new Error(describeError(this.failure));
  }

  latest(): string | undefined {
    this.check();
    return this.samples[this.samples.length - 1]?.position;
  }

  /** Stops polling; returns the mean time between polls (ms). */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.done;
    this.check();
    return (performance.now() - this.startedAt) / Math.max(1, this.polls);
  }
}

/**
 * Writes 10-row transactions at `rowsPerSecond` for `seconds` from several writers sharing a
 * fixed schedule (transaction k is due at start + k * interval; a late one goes at once), each
 * an autocommit INSERT followed in the same round trip by `SELECT @@last_gtid`: the GTID it
 * committed under, and the moment its COMMIT returned.
 */
async function writeProbes(writers: Connection[], idBase: number, rowsPerSecond: number, seconds: number): Promise<{ probes: ProbeCommit[]; rows: number; achieved: number }> {
  const transactions = Math.round((rowsPerSecond * seconds) / ROWS_PER_TRANSACTION);
  const intervalMs = (1000 * ROWS_PER_TRANSACTION) / rowsPerSecond;
  const probes: ProbeCommit[] = [];
  const startedAt = performance.now();
  let next = 0;
  await Promise.all(
    writers.map(async (writer) => {
      while (next < transactions) {
        const k = next++;
        const wait = startedAt + k * intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
        const rows = Array.from({ length: ROWS_PER_TRANSACTION }, (_, i) => `(${idBase + k * ROWS_PER_TRANSACTION + i},'probe',UTC_TIMESTAMP(6))`);
        const [results] = await writer.query(`INSERT INTO ${BENCH_SCHEMA}.${LAG_TABLE} (id, payload, written_at) VALUES ${rows.join(',')}; SELECT @@last_gtid AS g`);
        const committedAt = performance.now();
        // Two statements, two results: the INSERT's header and the SELECT's rows.
        const gtid = String((results as unknown as [ResultSetHeader, RowDataPacket[]])[1][0]?.g ?? '');
        if (!gtid) throw new Error('the primary reported no @@last_gtid for a lag probe (binary log off?)');
        probes.push({ gtid, committedAt });
      }
    }),
  );
  const rows = transactions * ROWS_PER_TRANSACTION;
  return { probes, rows, achieved: Math.round(rows / ((performance.now() - startedAt) / 1000)) };
}

/**
 * Lag at one write rate, the same way for every path and with nothing on the copies' tables:
 * each observer's applied position is polled about every millisecond on a connection of its own while
 * the primary writes probe transactions, and a probe's lag is the time from its COMMIT
 * returning on the primary to the first poll that saw it applied (lag-samples.ts). One clock,
 * the benchmark's. Every probe must be seen within `arrivalLimitMs` of the writes' end.
 * The writers need multipleStatements.
 */
export async function measureVisibilityLag(writers: Connection[], observers: PositionObserver[], idBase: number, rowsPerSecond: number, seconds: number, arrivalLimitMs = ARRIVAL_LIMIT_MS): Promise<Record<string, LagFigures>> {
  const pollers = observers.map((observer) => new PositionPoller(observer));
  try {
    const { probes, rows, achieved } = await writeProbes(writers, idBase, rowsPerSecond, seconds);
    const last = positionCovering(probes.map((probe) => probe.gtid));
    const deadline = performance.now() + arrivalLimitMs;
    for (const [i, poller] of pollers.entries()) {
      while (!reachedGtid(poller.latest(), last)) {
        if (performance.now() > deadline) throw new Error(`${observers[i]!.name}: did not apply the lag probes up to ${last} within ${arrivalLimitMs / 1000} s (at ${poller.latest()})`);
        await sleep(WAIT_STEP_MS);
      }
    }
    const figures: Record<string, LagFigures> = {};
    for (const [i, poller] of pollers.entries()) {
      const pollMs = await poller.stop();
      figures[observers[i]!.name] = lagFiguresOf(visibilityLagsMs(probes, poller.samples), achieved, rows, pollMs);
    }
    return figures;
  } finally {
    await Promise.all(pollers.map((poller) => poller.stop().catch(() => undefined)));
  }
}
