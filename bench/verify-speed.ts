import type { Connection, RowDataPacket } from 'mysql2/promise';
import { runFerryVerify } from './ferry-verify-child.ts';

/** Repetitions of each measurement; the median is reported (a shared 2-core machine is noisy). */
const REPEATS = 3;

export interface VerifySpeed {
  rows: number;
  /** CHECKSUM TABLE on the source and the target at once (each server scans its own table, as verify has them do). */
  checksumConcurrentSeconds: number;
  /** The same, one server after the other. */
  checksumSequentialSeconds: number;
  /** bin/ferry verify as a child process, spawn to exit. */
  verifySeconds: number;
  /** bin/ferry verify --help: the process start-up included in verifySeconds. */
  verifyStartSeconds: number;
  /** Every sample, in seconds, in the order taken. */
  samples: { checksumConcurrent: number[]; checksumSequential: number[]; verify: number[]; verifyStart: number[] };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function checksumTable(connection: Connection, table: string): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE ${table}`);
  const sum = String(rows[0]?.Checksum);
  // NULL for a missing table: no figure from a checksum of nothing.
  if (!/^\d+$/.test(sum)) throw new Error(`CHECKSUM TABLE ${table} gave ${sum}`);
  return sum;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  await work();
  return (performance.now() - startedAt) / 1000;
}

/**
 * Verify against CHECKSUM TABLE on identical tables: both read the whole table on both servers
 * (InnoDB keeps no live checksum, so CHECKSUM TABLE scans every row). A first pass of each
 * warms the buffer pools, then each is taken REPEATS times, interleaved so that a busy moment
 * of the machine falls on both alike. Verify must say the tables are identical, or there is
 * no figure.
 */
export async function measureVerifySpeed(source: Connection, target: Connection, urls: { source: string; target: string }, table: string, rows: number): Promise<VerifySpeed> {
  const samples: VerifySpeed['samples'] = { checksumConcurrent: [], checksumSequential: [], verify: [], verifyStart: [] };
  const [sourceSum, targetSum] = await Promise.all([checksumTable(source, table), checksumTable(target, table)]);
  if (sourceSum !== targetSum) throw new Error(`the tables to verify differ before the measurement (CHECKSUM TABLE ${sourceSum} against ${targetSum})`);
  const verifyOnce = async (): Promise<number> => {
    const result = await runFerryVerify(urls.source, urls.target, table);
    const report = result.report?.tables[0];
    if (result.code !== 0 || report?.rows !== rows) throw new Error(`bin/ferry verify of identical tables exited ${result.code} with ${JSON.stringify(result.report)}: ${result.stderr}`);
    return result.seconds;
  };
  await verifyOnce();
  for (let i = 0; i < REPEATS; i++) {
    samples.checksumConcurrent.push(await timed(() => Promise.all([checksumTable(source, table), checksumTable(target, table)])));
    samples.checksumSequential.push(await timed(async () => {
      await checksumTable(source, table);
      await checksumTable(target, table);
    }));
    samples.verify.push(await verifyOnce());
    samples.verifyStart.push((await runFerryVerify(urls.source, urls.target, table, ['--help'])).seconds);
  }
  return {
    rows,
    checksumConcurrentSeconds: median(samples.checksumConcurrent),
    checksumSequentialSeconds: median(samples.checksumSequential),
    verifySeconds: median(samples.verify),
    verifyStartSeconds: median(samples.verifyStart),
    samples,
  };
}
