import { join } from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchChild } from './bench-child.ts';
import { runFerryVerify } from './ferry-verify-child.ts';
import type { SteadyWriteLoad, WriteLoadFigures } from './steady-write-load.ts';

const POLL_MS = 200;
const COPY_LIMIT_MS = 900_000;
const IDENTICAL_LIMIT_MS = 300_000;
/** bin/ferry's exit code and error code for a command line it refuses (an unknown flag among them). */
const USAGE_EXIT = 2;
const USAGE_CODE = 'FERRY_ERR_CLI_USAGE';

export interface FerryCopyOptions {
  source: string;
  target: string;
  /** The target, to watch the rows arrive. */
  targetConnection: Connection;
  /** --tables rules, and the one table (schema.table, INT key `id` from 1 to rows) whose rows are counted. */
  tables: string;
  table: string;
  rows: number;
  name: string;
  /** A write load running on the source during the copy: stopped once the target holds every key. */
  load?: SteadyWriteLoad;
  /** How long verify is run again, the source quiet, until it says identical. @default 300000 */
  identicalLimitMs?: number;
  /** The program (and its first arguments) run as `bin/ferry`: a stand-in, for the harness's own tests. @default bin/ferry */
  launcher?: { command: string; args: string[] };
}

export interface FerryCopy {
  /** measured; not_measured: bin/ferry run has no --initial-copy yet; failed: see reason. */
  status: 'measured' | 'not_measured' | 'failed';
  /** Spawn to the first moment the target held every row (every key of 1..rows). */
  seconds: number | null;
  rowsPerSecond: number | null;
  /** bin/ferry verify's exit code at the end (0: identical). */
  verifyExit: number | null;
  identical: boolean | null;
  /** Under load: from stopping the load to verify's first exit 0 (the stream catching up included). */
  secondsToIdentical: number | null;
  load: WriteLoadFigures | null;
  peakRssMb: number | null;
  reason: string | null;
}

async function targetHoldsEveryRow(target: Connection, table: string, rows: number): Promise<boolean> {
  try {
    // MAX first: an index dive, cheap to poll; the count (a scan) only once the last key is there.
    const [max] = await target.query<RowDataPacket[]>(`SELECT MAX(id) AS m FROM ${table}`);
    if (Number(max[0]?.m ?? 0) < rows) return false;
    const [count] = await target.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(count[0]?.n) === rows;
  } catch (error) {
    throw new Error(`cannot count the target's rows of ${table}`, { cause: error });
  }
}

/**
 * Ferry's initial copy, timed: `bin/ferry run --initial-copy` started with an empty target
 * table, polled until the target holds every key (ids 1..rows; with a load on the source that
 * keeps the count, the moment the copy is complete), then `bin/ferry verify` until it says
 * identical, then stopped. While run lacks the flag it exits at once with its usage error:
 * reported as not measured, not as a failure of the benchmark.
 */
export async function timeFerryInitialCopy(options: FerryCopyOptions): Promise<FerryCopy> {
  const result: FerryCopy = { status: 'failed', seconds: null, rowsPerSecond: null, verifyExit: null, identical: null, secondsToIdentical: null, load: null, peakRssMb: null, reason: null };
  const launcher = options.launcher ?? { command: join(import.meta.dirname, '..', 'bin', 'ferry'), args: [] };
  const args = ['run', '--source', options.source, '--target', options.target, '--tables', options.tables, '--name', options.name, '--initial-copy'];
  const ferry = new BenchChild({ label: 'bin/ferry run --initial-copy', command: launcher.command, args: [...launcher.args, ...args] });
  try {
    const deadline = performance.now() + COPY_LIMIT_MS;
    for (;;) {
      options.load?.check();
      const code = ferry.exitCode;
      if (code !== undefined) {
        const refused = code === USAGE_EXIT && ferry.logTail().includes(USAGE_CODE);
        return { ...result, status: refused ? 'not_measured' : 'failed', reason: `bin/ferry run exited ${code}: ${ferry.logTail().split('\n').slice(-5).join('\n')}` };
      }
      if (await targetHoldsEveryRow(options.targetConnection, options.table, options.rows)) break;
      if (performance.now() > deadline) return { ...result, reason: `the target did not hold all ${options.rows} rows within ${COPY_LIMIT_MS / 1000} s; last log lines:\n${ferry.logTail()}` };
      await sleep(POLL_MS);
    }
    const seconds = (performance.now() - ferry.spawnedAt) / 1000;
    const loadStoppedAt = performance.now();
    const load = options.load ? await options.load.stop() : null;
    // The source is quiet now: the copy plus the stream must come to identical tables.
    const identicalBy = performance.now() + (options.identicalLimitMs ?? IDENTICAL_LIMIT_MS);
    let verifyExit: number | null;
    for (;;) {
      ferry.check();
      const verified = await runFerryVerify(options.source, options.target, options.tables);
      verifyExit = verified.code;
      if (verifyExit !== 1 || performance.now() > identicalBy) break;
      await sleep(POLL_MS);
    }
    const identical = verifyExit === 0;
    return {
      status: identical ? 'measured' : 'failed',
      seconds,
      rowsPerSecond: Math.round(options.rows / seconds),
      verifyExit,
      identical,
      secondsToIdentical: identical && load ? (performance.now() - loadStoppedAt) / 1000 : null,
      load,
      peakRssMb: ferry.peakRssMb,
      reason: identical ? null : `bin/ferry verify exited ${verifyExit} after the copy`,
    };
  } catch (error) {
    return { ...result, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    // A load still running (the copy failed) stops here; its own failure is in the reason already.
    await options.load?.stop().catch(() => undefined);
    await ferry.stop();
  }
}
