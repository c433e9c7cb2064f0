import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts a server as a plain background process that outlives this one, output appended
 * to `logFile`. Returns its pid.
 */
export function startDetached(command: string, args: string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie answers signal 0 but is no longer running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * True when pid runs a command line mentioning `marker` (our state folder). Guards against
 * signalling an unrelated process that reused a pid recorded long ago.
 */
export function isOurs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(marker));
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL and wait for the pid to go. */
export async function stopProcess(pid: number, graceMs = 15_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  if (await waitFor(() => !isAlive(pid), graceMs)) return;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), 5_000);
}

/**
 * Polls `condition` every `intervalMs` until it holds (true), or `timeoutMs` passes or
 * `signal` aborts (false).
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 50, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return false;
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Last lines of a server log, for an error message that says why it did not start. */
export function logTail(logFile: string, lines = 5): string {
  try {
    const text = readFileSync(logFile, 'utf8').trim().split('\n');
    return text.slice(-lines).join(' | ');
  } catch {
    return '(no log written)';
  }
}
