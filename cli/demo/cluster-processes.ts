import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const FERRY_BIN = join(import.meta.dirname, '..', '..', 'bin', 'ferry');

/** A `bin/ferry manager` or `bin/ferry node` child of the demo, its log in a file. */
export interface ClusterProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startClusterProcess(name: string, args: string[], logDir: string, env: NodeJS.ProcessEnv = {}): ClusterProcess {
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(FERRY_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FERRY_LOG_LEVEL: 'info', ...env } });
  child.stderr.pipe(log);
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    log.write(`${line}\n`);
    lines.push(line);
    for (const listener of listeners) listener(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const waitForLine = (pattern: RegExp, timeoutMs = 30_000) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const seen = lines.map((l) => l.match(pattern)).find((m) => m !== null);
    if (seen) return resolve(seen);
    const timer = setTimeout(() => done(new Error(`${name} did not print ${String(pattern)} within ${timeoutMs} ms; see ${logFile}`)), timeoutMs);
    const listener = (line: string) => {
      const match = line.match(pattern);
      if (match) done(undefined, match);
    };
    const onExit = () => done(new Error(`${name} exited with ${String(child.exitCode ?? child.signalCode)}; see ${logFile}`));
    function done(error?: Error, match?: RegExpMatchArray) {
      clearTimeout(timer);
      listeners.delete(listener);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(match!);
    }
    listeners.add(listener);
    child.once('exit', onExit);
  });

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { name, child, logFile, waitForLine, stop };
}
