import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The log line a select side writes just before it opens the binlog stream (node/pipeline/select-side.ts). */
const READY_MESSAGE = 'pipeline starting';
const KEPT_LINES = 30;

/** Children still running, so an interrupted benchmark can stop them (they would retry forever). */
const running = new Set<BenchChild>();

/** SIGKILLs every child still running: for an interrupted run, when there is no time to wait. */
export function killBenchChildren(): void {
  for (const child of running) child.kill();
}

export interface ChildLaunch {
  /** How errors name it: 'bin/ferry run', 'split select side'. */
  label: string;
  command: string;
  args: string[];
  /** Each line of its stdout (ignored without). */
  onStdoutLine?: (line: string) => void;
  /** @default this process's */
  cwd?: string;
}

/**
 * One child process of the benchmark that runs a select side (bin/ferry run, or a split
 * pipeline's select side): when it started, when it was ready to read (its 'pipeline
 * starting' log line), its peak resident memory, and the last lines of its log for error
 * messages.
 */
export class BenchChild {
  readonly spawnedAt = performance.now();
  readyAt: number | undefined;
  readonly label: string;
  private readonly child: ChildProcess;
  private readonly lastLines: string[] = [];
  private peakRss = 0;
  private exited = false;

  constructor(launch: ChildLaunch) {
    this.label = launch.label;
    this.child = spawn(launch.command, launch.args, { stdio: ['ignore', launch.onStdoutLine ? 'pipe' : 'ignore', 'pipe'], env: { ...process.env, FERRY_LOG_LEVEL: 'info' }, ...(launch.cwd ? { cwd: launch.cwd } : {}) });
    running.add(this);
    this.child.once('exit', () => {
      this.exited = true;
      running.delete(this);
    });
    // Always drained: a full stderr pipe would stall the child.
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.onLine(line));
    if (launch.onStdoutLine) createInterface({ input: this.child.stdout! }).on('line', launch.onStdoutLine);
  }

  private onLine(line: string): void {
    this.lastLines.push(line);
    if (this.lastLines.length > KEPT_LINES) this.lastLines.shift();
    if (this.readyAt === undefined && line.includes(`"msg":"${READY_MESSAGE}"`)) this.readyAt = performance.now();
  }

  /** Throws with the log tail when the process is gone; samples its peak memory otherwise. */
  check(): void {
    if (this.exited || this.child.exitCode !== null) {
      throw new Error(`${this.label} exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) during the benchmark; its last log lines:\n${this.logTail()}`);
    }
    this.samplePeakRss();
  }

  /** Its exit code once it has exited (null when a signal ended it), undefined while it runs. */
  get exitCode(): number | null | undefined {
    return this.exited || this.child.exitCode !== null ? this.child.exitCode : undefined;
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

  /** SIGTERM (a select side commits the batch in flight and exits); SIGKILL if it takes over 15 s. */
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
