import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineSpecInput } from '../shared/config/pipeline-spec.ts';
import { WanProxy, type WanProxyOptions } from '../services/index.ts';
import type { WindowLimits } from '../node/pipe/index.ts';
import { BenchChild } from './bench-child.ts';
import type { CatchUpProcess } from './ferry-catch-up.ts';
import type { SplitSideArgs } from './split-side.ts';

const SCRIPT = join(import.meta.dirname, 'split-side.ts');
const ROOT = join(import.meta.dirname, '..');
const LISTEN_LIMIT_MS = 120_000;
const EPOCH = 1;

/** What the select side reports of its pipe (PipeClient stats, channel batches, attempts). */
export interface SplitPipeStats {
  bytesSent?: number;
  bytesReceived?: number;
  rttMs?: number;
  batches: number;
  attempts: number;
}

export interface SplitOptions {
  spec: PipelineSpecInput;
  window?: Partial<WindowLimits>;
  /** The emulated link between the two sides (its target is filled in: the load side's pipe port). */
  link: Omit<WanProxyOptions, 'target'>;
}

function sideLaunch(label: string, args: SplitSideArgs, onStdoutLine: (line: string) => void): BenchChild {
  // The same heap cap as bin/ferry: each side is what one node would run.
  return new BenchChild({ label, command: process.execPath, args: ['--max-old-space-size=256', '--import', 'tsx', SCRIPT, JSON.stringify(args)], onStdoutLine, cwd: ROOT });
}

/**
 * A split pipeline as two processes, as two nodes will run it: the load side (a pipe server
 * next to the target) and the select side (next to the source) dialling it through a WAN
 * proxy. Looks like one bin/ferry run to the catch-up timer: ready when the select side logs
 * 'pipeline starting', checked through both processes.
 */
export class SplitPipeline implements CatchUpProcess {
  private statsWaiter: ((stats: SplitPipeStats) => void) | undefined;
  /** Select-side attempts that failed and were started again. */
  readonly restarts: string[] = [];

  readonly select: BenchChild;
  private stopping: Promise<{ select: number | null; load: number | null }> | undefined;

  private constructor(
    readonly load: BenchChild,
    readonly proxy: WanProxy,
    selectArgs: SplitSideArgs,
  ) {
    this.select = sideLaunch('split select side', selectArgs, (line) => this.onSelectLine(line));
  }

  static async start(options: SplitOptions): Promise<SplitPipeline> {
    const secret = randomBytes(32).toString('hex');
    const common = { spec: options.spec, secret, epoch: EPOCH, ...(options.window ? { window: options.window } : {}) };
    let port: number | undefined;
    const load = sideLaunch('split load side', { ...common, role: 'load', pipe: { host: '127.0.0.1', port: 0 } }, (line) => {
      const message = parseLine(line);
      if (typeof message?.listening === 'number') port = message.listening;
    });
    let proxy: WanProxy;
    try {
      const deadline = performance.now() + LISTEN_LIMIT_MS;
      while (port === undefined) {
        load.check();
        if (performance.now() > deadline) throw new Error(`the split load side did not listen within ${LISTEN_LIMIT_MS / 1000} s; its last log lines:\n${load.logTail()}`);
        await sleep(50);
      }
      proxy = await WanProxy.start({ ...options.link, target: { host: '127.0.0.1', port } });
    } catch (error) {
      load.kill();
      throw error;
    }
    return new SplitPipeline(load, proxy, { ...common, role: 'select', pipe: { host: '127.0.0.1', port: proxy.port } });
  }

  private onSelectLine(line: string): void {
    const message = parseLine(line);
    if (typeof message?.attemptFailed === 'string') this.restarts.push(message.attemptFailed);
    if (message?.stats !== undefined && this.statsWaiter) {
      this.statsWaiter(message.stats as SplitPipeStats);
      this.statsWaiter = undefined;
    }
  }

  get spawnedAt(): number {
    return this.load.spawnedAt;
  }

  get readyAt(): number | undefined {
    return this.select.readyAt;
  }

  get pid(): number | undefined {
    return this.select.pid;
  }

  check(): void {
    this.load.check();
    this.select.check();
  }

  logTail(): string {
    return `select side:\n${this.select.logTail()}\nload side:\n${this.load.logTail()}`;
  }

  /** The select side's pipe counters now (it answers SIGUSR2 with a JSON line). */
  async pipeStats(): Promise<SplitPipeStats> {
    this.check();
    const answered = new Promise<SplitPipeStats>((resolve) => (this.statsWaiter = resolve));
    process.kill(this.select.pid!, 'SIGUSR2');
    return answered;
  }

  /** The select side first (it commits what it sent, then says goodbye), then the load side, then the link. Once. */
  stop(): Promise<{ select: number | null; load: number | null }> {
    this.stopping ??= (async () => {
      const select = await this.select.stop();
      const load = await this.load.stop();
      await this.proxy.close();
      return { select, load };
    })();
    return this.stopping;
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
