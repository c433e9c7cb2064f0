import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import type { WrittenScenario } from './backlogs.ts';
import { PROCESS } from './cpu-usage.ts';
import { timeFerryCatchUp, type FerryCatchUp } from './ferry-catch-up.ts';
import { FerryProcess } from './ferry-process.ts';
import { recordedConflicts } from './conflict-target.ts';
import { BENCH_SCHEMA } from './tables.ts';
import { assertSameContents } from './verify.ts';

/** One catch-up of the backlog by bin/ferry run, with conflict detection off or on. */
export interface ConflictRun {
  detect: boolean;
  catchUp: FerryCatchUp;
  /** Rows in the target's conflicts table at the end; null when there is none (Load did not detect). */
  conflicts: number | null;
  peakRssMb: number;
}

export interface ConflictRunSetup {
  source: Connection;
  target: Connection;
  urls: { source: string; target: string };
  /** Where the pipeline files go (the servers' state directory). */
  dir: string;
  pids: { source: number; target: number };
  /** Apply connections (the pipeline's `parallel`), the same in both modes. */
  parallel: number;
}

/**
 * Runs bin/ferry run over `scenarios` into the (freshly reset) target, detection set by a
 * pipeline file (`detectConflicts`) in both modes, so the field is the only difference
 * between them. The copy must equal the source (CHECKSUM TABLE) before the figure counts.
 */
export async function runConflictCatchUp(setup: ConflictRunSetup, scenarios: WrittenScenario[], detect: boolean, name: string): Promise<ConflictRun> {
  mkdirSync(setup.dir, { recursive: true });
  const config = join(setup.dir, `pipeline-detect-${detect ? 'on' : 'off'}.json`);
  writeFileSync(config, `${JSON.stringify({ detectConflicts: detect, parallel: setup.parallel })}\n`);
  const ferry = new FerryProcess({ source: setup.urls.source, target: setup.urls.target, tables: `${BENCH_SCHEMA}.*`, name, from: scenarios[0]!.fromGtid, config });
  try {
    const catchUp = await timeFerryCatchUp(ferry, setup.target, name, scenarios, { [PROCESS.primary]: setup.pids.source, [PROCESS.target]: setup.pids.target });
    const peakRssMb = ferry.peakRssMb;
    await assertSameContents(setup.source, setup.target, `bin/ferry run, detection ${detect ? 'on' : 'off'}`);
    return { detect, catchUp, conflicts: await recordedConflicts(setup.target), peakRssMb };
  } finally {
    await ferry.stop().catch(() => undefined);
  }
}
