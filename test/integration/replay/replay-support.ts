import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mysql2/promise';
import { expect } from 'vitest';
import type { FerryProcess } from '../../support/ferry-process.ts';
import { checksum, dumpTable } from '../../support/tables.ts';

/** What the last progress line of `bin/ferry run` (JSON, every --progress-seconds) reported. */
export interface Progress {
  rowsApplied: number;
  /** Of rowsApplied, the rows Load replayed as row events (docs/replay.md). */
  rowsReplayed: number;
  /** Batches whose replay the target refused, applied by SQL instead. */
  replayFallbacks: number;
}

/**
 * The pipeline's stats as its progress line reports them: the state a test can see of which
 * path wrote the rows, read from the structured field, not from message text.
 */
export function lastProgress(ferry: FerryProcess): Progress {
  let last: Progress = { rowsApplied: 0, rowsReplayed: 0, replayFallbacks: 0 };
  for (const line of ferry.output().split('\n')) {
    if (!line.includes('"msg":"progress"')) continue;
    const entry = JSON.parse(line) as { rowsApplied?: number; rowsReplayed?: number; replayFallbacks?: number };
    last = { rowsApplied: entry.rowsApplied ?? 0, rowsReplayed: entry.rowsReplayed ?? 0, replayFallbacks: entry.replayFallbacks ?? 0 };
  }
  return last;
}

/** Waits until the progress line counts `rows` applied (all of a known workload), then returns it. */
export async function progressAt(ferry: FerryProcess, rows: number, timeoutMs = 180_000): Promise<Progress> {
  await expect.poll(() => {
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    if (exit !== null) throw new Error(`Ferry exited (${String(exit)})\n${ferry.output().split('\n').slice(-12).join('\n')}`);
    return lastProgress(ferry).rowsApplied;
  }, { timeout: timeoutMs, interval: 200 }).toBeGreaterThanOrEqual(rows);
  return lastProgress(ferry);
}

/**
 * Waits until the target table (maybe under another name) holds the source table's rows,
 * compared by CHECKSUM TABLE, then row by row as HEX; fails at once if Ferry exits. `columns`:
 * compare only these (a target with extra columns).
 */
export async function expectSameRows(
  ferry: FerryProcess,
  source: { connection: Connection; schema: string; table: string },
  target: { connection: Connection; schema: string; table: string },
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [a, b] = [await checksum(source.connection, source.schema, source.table), await checksum(target.connection, target.schema, target.table).catch(() => null)];
    if (a === b) break;
    const exit = ferry.child.exitCode ?? ferry.child.signalCode;
    if (exit !== null) throw new Error(`Ferry exited (${String(exit)}) before ${target.schema}.${target.table} converged\n${ferry.output().split('\n').slice(-12).join('\n')}`);
    if (Date.now() > deadline) break;
    await sleep(200);
  }
  expect(await dumpTable(target.connection, target.schema, target.table), `${target.schema}.${target.table}`).toEqual(await dumpTable(source.connection, source.schema, source.table));
}

/** The first progress line written after `since` (ms since the epoch): the stats once everything before it committed. */
export async function progressAfter(ferry: FerryProcess, since: number): Promise<Progress> {
  const after = (): boolean => ferry.output().split('\n').some((line) => line.includes('"msg":"progress"') && (JSON.parse(line) as { time: number }).time > since);
  await expect.poll(after, { timeout: 120_000, interval: 200 }).toBe(true);
  return lastProgress(ferry);
}
