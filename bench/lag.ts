import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './lag-samples.ts';
import { BENCH_SCHEMA, LAG_TABLE } from './tables.ts';

const ROWS_PER_TRANSACTION = 10;
const ARRIVAL_LIMIT_MS = 120_000;

export interface LagFigures {
  p50: number;
  p99: number;
  max: number;
  /** What the writer managed; below the asked rate when it could not keep up. */
  achieved_rows_per_s: number;
  rows: number;
  /** Probe transactions measured (visibility-lag.ts: each transaction's lag, not each row's). */
  probes?: number;
  /** visibility-lag.ts: mean time between two polls of the copy's position, the figures' resolution. */
  poll_ms?: number;
}

/** A copy of the lag probe table whose `applied_at` says when each row arrived there. */
export interface LagObserver {
  name: string;
  connection: Connection;
  /** Throws when the path's process is gone, so a dead path fails fast instead of timing out. */
  check?: () => void;
}

/**
 * Writes 10-row transactions at `rowsPerSecond` for `seconds`, paced against a fixed schedule
 * (transaction k is due at start + k * interval; a late one goes at once), so a slow round
 * trip does not shift the ones after it. Each row carries written_at = UTC_TIMESTAMP(6) of the
 * source.
 * Returns the ids written, [idBase, idBase + rows), and the rate achieved.
 */
async function writeAtRate(writers: Connection[], table: string, idBase: number, rowsPerSecond: number, seconds: number): Promise<{ rows: number; achieved: number }> {
  const transactions = Math.round((rowsPerSecond * seconds) / ROWS_PER_TRANSACTION);
  const intervalMs = (1000 * ROWS_PER_TRANSACTION) / rowsPerSecond;
  const startedAt = performance.now();
  let next = 0;
  // Several writers share the schedule, so one transaction's round trip never holds up the next.
  await Promise.all(
    writers.map(async (writer) => {
      while (next < transactions) {
        const k = next++;
        const wait = startedAt + k * intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
        const rows = Array.from({ length: ROWS_PER_TRANSACTION }, (_, i) => `(${idBase + k * ROWS_PER_TRANSACTION + i},'probe',UTC_TIMESTAMP(6))`);
        await writer.query(`INSERT INTO ${BENCH_SCHEMA}.${table} (id, payload, written_at) VALUES ${rows.join(',')}`);
      }
    }),
  );
  const rows = transactions * ROWS_PER_TRANSACTION;
  return { rows, achieved: Math.round(rows / ((performance.now() - startedAt) / 1000)) };
}

async function waitArrived(observer: LagObserver, table: string, idBase: number, rows: number, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    observer.check?.();
    const [result] = await observer.connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${BENCH_SCHEMA}.${table} WHERE id >= ? AND id < ?`, [idBase, idBase + rows]);
    if (Number(result[0]?.n) === rows) return;
    if (Date.now() > deadline) throw new Error(`${observer.name}: only ${result[0]?.n} of ${rows} lag probe rows arrived within ${limitMs / 1000} s`);
    await sleep(50);
  }
}

/**
 * Writes one probe row (id `id`) and waits for it on the observer: from then on the path has
 * applied everything written before, so a lag measurement does not count a backlog it had
 * still to read (other paths' probe rows it skips, say).
 */
export async function waitCaughtUp(writer: Connection, observer: LagObserver, table: string, id: number, limitMs: number): Promise<void> {
  await writer.query(`INSERT INTO ${BENCH_SCHEMA}.${table} (id, payload, written_at) VALUES (?, 'sync', UTC_TIMESTAMP(6))`, [id]);
  await waitArrived(observer, table, id, 1, limitMs);
}

async function lagOf(observer: LagObserver, table: string, idBase: number, rows: number): Promise<Pick<LagFigures, 'p50' | 'p99' | 'max'>> {
  const [result] = await observer.connection.query<RowDataPacket[]>(
    `SELECT TIMESTAMPDIFF(MICROSECOND, written_at, applied_at) AS us FROM ${BENCH_SCHEMA}.${table} WHERE id >= ? AND id < ? ORDER BY us`,
    [idBase, idBase + rows],
  );
  const ms = result.map((row) => Number(row.us) / 1000);
  // A negative lag means applied_at is not the apply time (e.g. the SQL thread's event-time NOW()).
  if (ms[0]! < 0) throw new Error(`${observer.name}: a lag probe row was applied ${-ms[0]!} ms before it was written: applied_at does not record the apply time`);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return { p50: round(percentile(ms, 0.5)), p99: round(percentile(ms, 0.99)), max: round(ms[ms.length - 1]!) };
}

export interface LagOptions {
  /** Every observer's rows arrive within this of the writes' end, or the measurement fails. @default 120 s */
  arrivalLimitMs?: number;
  /** The probe table in the benchmark schema, on the source and every observer. @default lag_probe */
  table?: string;
}

/**
 * End-to-end lag at one write rate: source write time to apply time on each observer (all
 * servers share the host clock), once every row has arrived (a path slower than the rate
 * takes longer to get them all: `arrivalLimitMs`).
 */
export async function measureLag(writers: Connection[], observers: LagObserver[], idBase: number, rowsPerSecond: number, seconds: number, options: LagOptions = {}): Promise<Record<string, LagFigures>> {
  const { arrivalLimitMs = ARRIVAL_LIMIT_MS, table = LAG_TABLE } = options;
  const { rows, achieved } = await writeAtRate(writers, table, idBase, rowsPerSecond, seconds);
  const figures: Record<string, LagFigures> = {};
  const deadline = Date.now() + arrivalLimitMs;
  for (const observer of observers) {
    await waitArrived(observer, table, idBase, rows, Math.max(0, deadline - Date.now()));
    figures[observer.name] = { ...(await lagOf(observer, table, idBase, rows)), achieved_rows_per_s: achieved, rows };
  }
  return figures;
}
