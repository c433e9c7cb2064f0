import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The log line bin/ferry run writes just before it opens the binlog stream (node/pipeline/select-side.ts). */
const READY_MESSAGE = 'pipeline starting';
const KEPT_LINES = 30;

/** Children still running, so an interrupted benchmark can stop them (they would retry forever). */
const running = new Set<FerryProcess>();

/** SIGKILLs every Ferry child still running: for an interrupted run, when there is no time to wait. */
export function killFerryProcesses(): void {
  for (const ferry of running) ferry.kill();
}

export interface FerryRunOptions {
  source: string;
  target: string;
  tables: string;
  name: string;
  from: string;
}

/**
 * One `bin/ferry run` child process: when it started, when it was ready to read (its
 * 'pipeline starting' log line), its peak resident memory, and the last lines of its log
 * for error messages.
 */
export class FerryProcess {
  readonly spawnedAt = performance.now();
  readyAt: number | undefined;
  private readonly child: ChildProcess;
  private readonly lastLines: string[] = [];
  private peakRss = 0;
  private exited = false;

  constructor(options: FerryRunOptions) {
    const bin = join(import.meta.dirname, '..', 'bin', 'ferry');
    const args = ['run', '--source', options.source, '--target', options.target, '--tables', options.tables, '--name', options.name, '--from', options.from];
    // FERRY_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof': node flags for the Ferry
    // process (profiles; many are refused in NODE_OPTIONS), added to bin/ferry's own.
    const nodeArgs = process.env.FERRY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const [command, commandArgs] = nodeArgs.length > 0 ? [process.execPath, ['--max-old-space-size=256', ...nodeArgs, bin, ...args]] : [bin, args];
    this.child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FERRY_LOG_LEVEL: 'info' } });
    running.add(this);
    this.child.once('exit', () => {
      this.exited = true;
      running.delete(this);
    });
    // Always drained: a full stderr pipe would stall Ferry.
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.onLine(line));
  }

  private onLine(line: string): void {
    this.lastLines.push(line);
    if (this.lastLines.length > KEPT_LINES) this.lastLines.shift();
    if (this.readyAt === undefined && line.includes(`"msg":"${READY_MESSAGE}"`)) this.readyAt = performance.now();
  }

  /** Throws with the log tail when the process is gone; samples its peak memory otherwise. */
  check(): void {
    if (this.exited || this.child.exitCode !== null) {
      throw new Error(`bin/ferry run exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) during the benchmark; its last log lines:\n${this.logTail()}`);
    }
    this.samplePeakRss();
  }

  /** The child's process id (for CPU accounting). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Peak resident memory in MB (VmHWM: the kernel's own high-water mark, so sampling misses nothing). */
  get peakRssMb(): number {
    this.samplePeakRss();
    return this.peakRss;
  }

  logTail(): string {
    return this.lastLines.join('\n');
  }

  private samplePeakRss(): void {
    if (this.exited) return;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      if (match) this.peakRss = Math.max(this.peakRss, Math.round(Number(match[1]) / 1024));
    } catch {
      // Gone between the check and the read: the last sample stands.
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** SIGTERM (Ferry commits the batch in flight and exits); SIGKILL if it takes over 15 s. */
  async stop(): Promise<number | null> {
    this.samplePeakRss();
    if (this.exited) return this.child.exitCode;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    return this.child.exitCode;
  }
}
