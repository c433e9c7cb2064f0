import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WrittenScenario } from './backlogs.ts';
import { CpuSnapshot, PROCESS, type CpuSubject, type CpuUse } from './cpu-usage.ts';
import { reachedGtid } from './gtid-pos.ts';
import { catchUpResult, totalRowChanges, type CatchUpResult } from './segment-clock.ts';

const POLL_MS = 20;
const LIMIT_MS = 900_000;
/** No table yet: Ferry has not created its system tables. */
const ER_NO_SUCH_TABLE = 1146;

/**
 * What the timer needs of the process(es) running a pipeline: a BenchChild for bin/ferry run,
 * or both sides of a split pipeline (the select side's readiness, both checked).
 */
export interface CatchUpProcess {
  readonly spawnedAt: number;
  readonly readyAt: number | undefined;
  /** The process whose CPU counts as Ferry's (the select side's, for a split pipeline). */
  readonly pid: number | undefined;
  check(): void;
  logTail(): string;
}

export interface FerryCatchUp {
  /** From the 'pipeline starting' log line: the ratios use this one. */
  fromReady: CatchUpResult;
  /** From spawning the process: start-up (tsx, connections, prechecks) included. */
  inclStart: CatchUpResult;
  /** Spawn to 'pipeline starting'. */
  startSeconds: number;
  /** CPU from 'pipeline starting' to the end: the Ferry process and the processes in `cpuOf`. */
  cpu: CpuUse;
  /** CPU seconds the Ferry process used to start (spawn to 'pipeline starting'). */
  startCpuSeconds: number;
}

/**
 * Newest GTID position Ferry committed on the target (node/load/checkpoint-store.ts: the
 * checkpoint row with the highest seq holds the position its batch reached).
 */
export async function committedGtid(target: Connection, pipeline: string): Promise<string | undefined> {
  try {
    const [rows] = await target.query<RowDataPacket[]>('SELECT gtid_set FROM _ferry.checkpoints WHERE pipeline = ? ORDER BY seq DESC LIMIT 1', [pipeline]);
    const gtid = rows[0]?.gtid_set as string | null | undefined;
    return gtid ?? undefined;
  } catch (error) {
    if ((error as { errno?: number }).errno === ER_NO_SUCH_TABLE) return undefined;
    throw error;
  }
}

/** Polls every 20 ms until Ferry's checkpoint includes `gtid`; returns the moment it did. */
export async function waitCommitted(ferry: CatchUpProcess, target: Connection, pipeline: string, gtid: string, limitMs = LIMIT_MS): Promise<number> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    ferry.check();
    if (reachedGtid(await committedGtid(target, pipeline), gtid)) return performance.now();
    if (performance.now() > deadline) throw new Error(`bin/ferry run did not reach ${gtid} within ${limitMs / 1000} s; its last log lines:\n${ferry.logTail()}`);
    await sleep(POLL_MS);
  }
}

/**
 * Polls every 20 ms until Ferry has logged 'pipeline starting' and returns that moment, so
 * that the caller's CPU snapshot falls within a poll of where the catch-up timer starts.
 * A checkpoint already past `firstGtid` without the line means the line changed: fail at
 * once rather than wait out the limit.
 */
async function waitReady(ferry: CatchUpProcess, target: Connection, pipeline: string, firstGtid: string, limitMs = LIMIT_MS): Promise<number> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    ferry.check();
    if (ferry.readyAt !== undefined) return ferry.readyAt;
    if (reachedGtid(await committedGtid(target, pipeline), firstGtid)) {
      throw new Error("bin/ferry run never logged 'pipeline starting' (node/pipeline/select-side.ts): the benchmark cannot tell start-up from catch-up");
    }
    if (performance.now() > deadline) throw new Error(`bin/ferry run did not log 'pipeline starting' within ${limitMs / 1000} s; its last log lines:\n${ferry.logTail()}`);
    await sleep(POLL_MS);
  }
}

/**
 * Times a just-started Ferry process catching up the backlog. A scenario is done when
 * Ferry's checkpoint reaches its last GTID: counts cannot tell, since rows are updated and
 * deleted. The Ferry process's CPU is always measured, the processes in `cpuOf` (the
 * servers) besides it.
 */
export async function timeFerryCatchUp(ferry: CatchUpProcess, target: Connection, pipeline: string, scenarios: WrittenScenario[], cpuOf: Record<string, CpuSubject> = {}): Promise<FerryCatchUp> {
  const pid = ferry.pid;
  if (pid === undefined) throw new Error(`bin/ferry run did not start; its last log lines:\n${ferry.logTail()}`);
  const readyAt = await waitReady(ferry, target, pipeline, scenarios[0]!.toGtid);
  const cpu = new CpuSnapshot({ ...cpuOf, [PROCESS.ferry]: pid });
  const reachedAt: number[] = [];
  for (const scenario of scenarios) reachedAt.push(await waitCommitted(ferry, target, pipeline, scenario.toGtid));
  return {
    fromReady: catchUpResult(scenarios, readyAt, reachedAt),
    inclStart: catchUpResult(scenarios, ferry.spawnedAt, reachedAt),
    startSeconds: (readyAt - ferry.spawnedAt) / 1000,
    cpu: cpu.since(totalRowChanges(scenarios)),
    // A process's CPU counts from its own start, so at the snapshot it is all start-up.
    startCpuSeconds: cpu.atStart[PROCESS.ferry]!,
  };
}
