import type { Connection, RowDataPacket } from 'mysql2/promise';
import { PIPELINE_DEFAULTS } from '../shared/config/pipeline-spec.ts';
import type { Logger } from '../shared/logging.ts';
import { FULL_SIZES, QUICK_SIZES, writeBacklogs } from './backlogs.ts';
import { conflictReportLines } from './conflict-report.ts';
import { conflictResultsJson, type ChangedTargetRun, type ConflictMeasurements } from './conflict-results.ts';
import { runConflictCatchUp, type ConflictRun, type ConflictRunSetup } from './conflict-run.ts';
import { conflictStateDir, conflictUrls, connectConflict, pidOf, startConflictServers, stopConflictServers } from './conflict-servers.ts';
import { resetTarget, seedChangedTarget } from './conflict-target.ts';
import { writeLatest } from './results.ts';
import { BENCH_SCHEMA, narrowTableSql, wideTableSql } from './tables.ts';

export interface ConflictBenchOptions {
  quick: boolean;
  /** Apply connections of every run (the pipeline's `parallel`). @default Ferry's default, 4 */
  parallel?: number | undefined;
  log: Logger;
  out: (line: string) => void;
}

/** Off/on pairs: the machine is shared, so the modes alternate and each figure is a median. */
const PAIRS = 4;
const QUICK_PAIRS = 3;
/** The changed-target run: this percentage of the rows scenario (b) updates is changed on the target behind Ferry's back. */
const CHANGED_PERCENT = 5;

/**
 * The conflict-detection benchmark (issue 16): the ordinary benchmark's backlog written once
 * on a source, then caught up by bin/ferry run with detectConflicts off and on, alternating,
 * each into a fresh target and checkpoint and checked against the source; then once more
 * with detection on into a target changed behind Ferry's back. The servers are stopped and
 * purged whatever happens.
 */
export async function runConflictBench({ quick, parallel = PIPELINE_DEFAULTS.parallel, log, out }: ConflictBenchOptions): Promise<Record<string, unknown>> {
  const startedAt = performance.now();
  const step = (line: string): void => out(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const sizes = quick ? QUICK_SIZES : FULL_SIZES;
  const connections: Connection[] = [];
  step('starting 2 MariaDB servers under .ferry/bench-conflicts (source, target)');
  const servers = await startConflictServers(log);
  try {
    const open = async (db: typeof servers.source): Promise<Connection> => {
      const connection = await connectConflict(servers, db);
      connections.push(connection);
      return connection;
    };
    const writers = await Promise.all([1, 2, 3, 4].map(() => open(servers.source)));
    const source = writers[0]!;
    const target = await open(servers.target);
    // Logged before the backlog's start position: no run replays it.
    await source.query([`CREATE DATABASE ${BENCH_SCHEMA}`, narrowTableSql(BENCH_SCHEMA), wideTableSql(BENCH_SCHEMA)].join(';\n'));

    step('writing the backlog on the source');
    const scenarios = await writeBacklogs(writers, sizes, (line) => step(`  ${line}`));
    const setup: ConflictRunSetup = { source, target, urls: conflictUrls(servers), dir: conflictStateDir(), pids: { source: pidOf(servers.source), target: pidOf(servers.target) }, parallel };

    const runs: ConflictRun[] = [];
    for (let pair = 0; pair < (quick ? QUICK_PAIRS : PAIRS); pair++) {
      for (const detect of [false, true]) {
        step(`bin/ferry run, detection ${detect ? 'on' : 'off'} (run ${runs.length + 1}, parallel ${parallel}), into a fresh target`);
        await resetTarget(target);
        const run = await runConflictCatchUp(setup, scenarios, detect, `conflicts-${runs.length + 1}`);
        step(`  ${run.catchUp.fromReady.rowsPerSecond.toLocaleString('en-US')} rows/s, identical to the source, conflicts recorded: ${run.conflicts ?? 'no conflicts table'}`);
        runs.push(run);
      }
    }

    step(`bin/ferry run, detection on, from (b) into a target holding (a)'s rows with ${CHANGED_PERCENT}% of (b)'s rows changed behind its back`);
    await resetTarget(target);
    const rowsChanged = await seedChangedTarget(target, sizes.narrowInserts, sizes.narrowUpdates, CHANGED_PERCENT);
    const changedScenarios = scenarios.slice(1);
    const changedRun = await runConflictCatchUp(setup, changedScenarios, true, 'conflicts-changed');
    const changed: ChangedTargetRun = { percent: CHANGED_PERCENT, rowsChanged, scenarios: changedScenarios, run: changedRun };
    step(`  ${changedRun.catchUp.fromReady.rowsPerSecond.toLocaleString('en-US')} rows/s, identical to the source, conflicts recorded: ${changedRun.conflicts ?? 'no conflicts table'} of ${rowsChanged} changed rows`);

    const [version] = await source.query<RowDataPacket[]>('SELECT VERSION() AS v');
    const measurements: ConflictMeasurements = { quick, mariadbVersion: String(version[0]?.v), durationSeconds: (performance.now() - startedAt) / 1000, scenarios, runs, changed, parallel };
    const json = conflictResultsJson(measurements);
    for (const line of conflictReportLines(json)) out(line);
    out(`Results: ${writeLatest(json, 'conflicts-latest.json')}`);
    return json;
  } finally {
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
    await stopConflictServers(log);
  }
}
