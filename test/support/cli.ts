import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const FERRY_BIN = join(import.meta.dirname, '..', '..', 'bin', 'ferry');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/ferry` as a real child process and collects its output. */
export function runFerry(args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(FERRY_BIN, args, { timeout: options.timeoutMs ?? 120_000, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
