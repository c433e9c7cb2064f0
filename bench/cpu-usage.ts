import { readFileSync } from 'node:fs';

/**
 * Clock ticks per second of the times in /proc/<pid>/stat (`getconf CLK_TCK`). The kernel
 * reports them in USER_HZ, which is 100 on x86-64 and arm64, so it is hard-coded rather than
 * asked of a child process. One tick (10 ms) is the resolution of every pid's figure.
 */
export const CLOCK_TICKS_PER_S = 100;

/** The benchmark's own process, measured with process.cpuUsage() (microsecond resolution). */
export const SELF = 'self';

/** The processes the benchmark measures, by their names in the results. */
export const PROCESS = {
  primary: 'primary_mysqld',
  replica: 'replica_mysqld',
  target: 'target_mysqld',
  ferry: 'ferry_process',
  bench: 'bench_process',
} as const;

/** Whose CPU time to count: a process id, or SELF. */
export type CpuSubject = number | typeof SELF;

/** CPU seconds (user + system) used by named processes over one interval of `rows` row changes. */
export interface CpuUse {
  rows: number;
  wallSeconds: number;
  /** Process name to CPU seconds. */
  seconds: Record<string, number>;
}

/**
 * User + system CPU seconds a process has used since it started, all its threads included
 * (the kernel sums them per thread group in /proc/<pid>/stat).
 */
export function cpuSecondsOfPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2, the command name, is in parentheses and may hold spaces: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) and stime (15) are at 11 and 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`unexpected /proc/${pid}/stat: ${stat}`);
  return ticks / CLOCK_TICKS_PER_S;
}

function cpuSecondsOf(subject: CpuSubject): number {
  if (subject !== SELF) return cpuSecondsOfPid(subject);
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const mapValues = <A, B>(record: Record<string, A>, f: (value: A) => B): Record<string, B> => Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));

/**
 * The CPU time of several named processes at one moment, with the wall clock: `since()`
 * gives what each used from then on. Take it right where a path's timer starts, and call
 * `since()` where it stops, so the CPU figures cover the same interval as the rows/s.
 */
export class CpuSnapshot {
  private readonly startedAt = performance.now();
  private readonly start: Record<string, number>;

  constructor(private readonly subjects: Record<string, CpuSubject>) {
    this.start = mapValues(subjects, cpuSecondsOf);
  }

  /** CPU seconds at the snapshot, per process: for a process started just before, its start-up. */
  get atStart(): Record<string, number> {
    return { ...this.start };
  }

  since(rows: number): CpuUse {
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const seconds = Object.fromEntries(Object.entries(this.subjects).map(([name, subject]) => [name, cpuSecondsOf(subject) - this.start[name]!]));
    return { rows, wallSeconds, seconds };
  }
}

/** Microseconds of CPU per row change. */
export const microsPerRow = (cpuSeconds: number, rows: number): number => (cpuSeconds * 1e6) / rows;

/** Sum over the processes. */
export const totalCpuSeconds = (use: CpuUse): number => Object.values(use.seconds).reduce((sum, s) => sum + s, 0);
