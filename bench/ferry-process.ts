import { join } from 'node:path';
import { BenchChild, killBenchChildren } from './bench-child.ts';

/** SIGKILLs every benchmark child still running: for an interrupted run, when there is no time to wait. */
export const killFerryProcesses = killBenchChildren;

export interface FerryRunOptions {
  source: string;
  target: string;
  tables: string;
  name: string;
  from: string;
  /** A pipeline file for the fields that have no flag (detectConflicts); the flags above override it. */
  config?: string;
}

/** One `bin/ferry run` child process (bench-child.ts: readiness, memory, log tail). */
export class FerryProcess extends BenchChild {
  constructor(options: FerryRunOptions) {
    const bin = join(import.meta.dirname, '..', 'bin', 'ferry');
    const args = ['run', '--source', options.source, '--target', options.target, '--tables', options.tables, '--name', options.name, '--from', options.from, ...(options.config ? ['--config', options.config] : [])];
    // FERRY_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof': node flags for the Ferry
    // process (profiles; many are refused in NODE_OPTIONS), added to bin/ferry's own.
    const nodeArgs = process.env.FERRY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const [command, commandArgs] = nodeArgs.length > 0 ? [process.execPath, ['--max-old-space-size=256', ...nodeArgs, bin, ...args]] : [bin, args];
    super({ label: 'bin/ferry run', command, args: commandArgs });
  }
}
