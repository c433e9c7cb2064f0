import { spawn, type ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { FERRY_BIN } from './cli.ts';

/** A `bin/ferry` child process that a test can watch, stop or kill -9. */
export interface FerryProcess {
  child: ChildProcess;
  /** Everything it wrote to stderr (logs) and stdout so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name) when it ends. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export function startFerry(args: string[], env: NodeJS.ProcessEnv = {}): FerryProcess {
  const child = spawn(FERRY_BIN, args, { env: { ...process.env, FERRY_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  onTestFinished(async () => {
    await kill('SIGKILL');
  });
  return { child, output: () => output, exited, kill };
}
