import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onTestFailed, onTestFinished } from 'vitest';
import { FERRY_BIN } from './cli.ts';
import { testSecretKeyFile } from './secret-key.ts';
import { zkAuthEnv } from './zk-identities.ts';

/** A `bin/ferry` child process that a test can watch, stop or kill -9. */
export interface FerryProcess {
  child: ChildProcess;
  /** Everything it wrote to stderr (logs) and stdout so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name) when it ended and its output is all read. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export function startFerry(args: string[], env: NodeJS.ProcessEnv = {}): FerryProcess {
  const child = spawn(FERRY_BIN, args, { env: { ...process.env, FERRY_LOG_LEVEL: 'info', FERRY_SECRET_KEY_FILE: testSecretKeyFile(), ...zkAuthEnv(args[0]), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // 'close', not 'exit': by then every byte it wrote has arrived, so output() is complete.
  const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  onTestFinished(async () => {
    await kill('SIGKILL');
  });
  onTestFailed(({ task }) => keepOutput(task.name, child.pid, output));
  return { child, output: () => output, exited, kill };
}

const failedRunsDir = resolve(import.meta.dirname, '..', '..', '.ferry', 'failed-tests');

/**
 * A failed test's Ferry processes leave their whole output in .ferry/failed-tests, named
 * after the test, so a failure that happened once (in CI, under load) can be read afterwards.
 */
function keepOutput(testName: string, pid: number | undefined, output: string): void {
  mkdirSync(failedRunsDir, { recursive: true });
  const file = join(failedRunsDir, `${testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}-${String(pid)}.log`);
  writeFileSync(file, output);
  process.stderr.write(`ferry test: the output of process ${String(pid)} is in ${file}\n`);
}
