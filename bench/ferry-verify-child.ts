import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface VerifyChildResult {
  /** bin/ferry verify's exit code: 0 identical, 1 differences, 2 an error. */
  code: number | null;
  /** Spawn to exit: what a DBA running it waits (process start-up included). */
  seconds: number;
  /** Its --json report (undefined when it printed none). */
  report: { tables: Array<{ table: string; rows: number; missing: number; extra: number; different: number }> } | undefined;
  stderr: string;
}

/** One `bin/ferry verify --json` as a child process, the way a DBA runs it. */
export async function runFerryVerify(source: string, target: string, tables: string, extraArgs: string[] = []): Promise<VerifyChildResult> {
  const bin = join(import.meta.dirname, '..', 'bin', 'ferry');
  const startedAt = performance.now();
  const child = spawn(bin, ['verify', '--source', source, '--target', target, '--tables', tables, '--json', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const text = Buffer.concat(stdout).toString('utf8').trim();
  let report: VerifyChildResult['report'];
  try {
    report = text === '' ? undefined : (JSON.parse(text) as VerifyChildResult['report']);
  } catch {
    report = undefined;
  }
  return { code, seconds, report, stderr: Buffer.concat(stderr).toString('utf8').trim() };
}
