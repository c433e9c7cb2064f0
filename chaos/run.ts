import type { Connection } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { servicesDown, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { FerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { CHAOS_TIMEOUTS, startChaosCluster, type ChaosCluster } from './cluster.ts';
import { compareTables, readLedgerContent } from './compare.ts';
import { INJECTORS } from './injectors.ts';
import { FAULT_KINDS, boundSeconds, type FaultKind } from './kinds.ts';
import { checkLedger } from './ledger-check.ts';
import { connector, runLoad, type LoadOutcome } from './load.ts';
import { CHAOS_SCHEMA, CHAOS_SEED_ROWS, CHAOS_TABLES } from './load-schema.ts';
import type { ChaosProcess } from './processes.ts';
import { Probe } from './probe.ts';
import { passed, summaryLines, writeReport, type ChaosReport, type FaultResult } from './report.ts';
import { planFaults, targetLabel } from './schedule.ts';
import { ChaosWan } from './wan.ts';

export interface ChaosOptions {
  faults: number;
  seed: number;
  /** Stop injecting after this many minutes even if faults remain. */
  minutes?: number;
  /** The kinds the schedule draws from (default: every kind). */
  kinds?: readonly FaultKind[];
  keep: boolean;
  reportFile: string;
}

/** Generous: a replication that has not moved in this long after a fault is taken as stuck. */
const RECOVERY_GIVE_UP_MS = 300_000;

/** Runs the whole suite; resolves with the exit code (0: no differences, every bound met). */
export async function runChaos(options: ChaosOptions, log: Logger, out: (line: string) => void, signal: AbortSignal): Promise<number> {
  const started = Date.now();
  const stateDir = mkdtempSync(join(tmpdir(), 'ferry-chaos-'));
  const processes: ChaosProcess[] = [];
  const connections: Connection[] = [];
  const wan = new ChaosWan(log);
  // Aborted in `finally` too: writers left running after an error would keep the process alive.
  const loadStop = new AbortController();
  const stopLoad = () => loadStop.abort();
  signal.addEventListener('abort', stopLoad);
  try {
    out(`chaos: seed ${options.seed}, ${options.faults} faults; servers and logs in ${stateDir}`);
    const cluster = await startChaosCluster(stateDir, log, createSchema, processes, wan);
    const app = cluster.services.users.app;
    const at = (db: MariaDbInstance) => connector(db.host, db.port, app.user, app.password);
    const probe = new Probe(at(cluster.source), at(cluster.target));
    if ((await probe.flowing(Date.now() + RECOVERY_GIVE_UP_MS, signal)) === undefined) {
      if (signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
      throw new FerryError('FERRY_ERR_CHAOS_NOT_REPLICATING', { seconds: RECOVERY_GIVE_UP_MS / 1000, logDir: join(stateDir, 'logs') });
    }
    out('chaos: cluster replicating; load started');

    const load = runLoad({ connect: at(cluster.source), writers: 3, perSecond: 15, seed: options.seed, log }, loadStop.signal);
    const faults = await injectAll(cluster, probe, options, log, out, signal, started);
    loadStop.abort();
    const outcome = await load;

    out(`chaos: load stopped after ${outcome.acked.size} transactions (${outcome.inDoubt.size} in doubt, ${outcome.failed} refused before their commit); waiting for the target to catch up`);
    const last = await probe.bump(signal);
    const caughtUp = await probe.waitFor(last, Date.now() + 600_000, signal);
    if (signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
    const source = await at(cluster.source)();
    connections.push(source);
    const target = await at(cluster.target)();
    connections.push(target);
    const report = await check(source, target, outcome, options.seed, options.kinds ?? FAULT_KINDS, faults, started, caughtUp === undefined);
    writeReport(options.reportFile, report);
    for (const line of summaryLines(report)) out(line);
    out(`report: ${options.reportFile}`);
    return passed(report) ? 0 : 1;
  } finally {
    loadStop.abort();
    signal.removeEventListener('abort', stopLoad);
    for (const connection of connections) await connection.end().catch(() => undefined);
    // Nodes before managers (each reports its last position while a manager listens), then the servers.
    await Promise.all(processes.filter((p) => p.name.startsWith('node')).map((p) => p.stop()));
    await Promise.all(processes.filter((p) => !p.name.startsWith('node')).map((p) => p.stop()));
    await servicesDown(stateDir, log, { purge: !options.keep });
    await wan.close();
    if (options.keep) out(`chaos: kept ${stateDir} (servers stopped; logs in ${stateDir}/logs)`);
  }
}

async function createSchema(state: ServicesState): Promise<void> {
  for (const db of state.mariadb) {
    const connection = await mysql.createConnection({ host: db.host, port: db.port, user: state.users.app.user, password: state.users.app.password, multipleStatements: true });
    try {
      await connection.query(`CREATE DATABASE ${CHAOS_SCHEMA}; USE ${CHAOS_SCHEMA}; ${[...CHAOS_TABLES, ...CHAOS_SEED_ROWS].join(';\n')}`);
    } finally {
      await connection.end();
    }
  }
}

/** The schedule, one fault at a time: each resolved (repaired, replication moved) before the next. */
async function injectAll(cluster: ChaosCluster, probe: Probe, options: ChaosOptions, log: Logger, out: (line: string) => void, signal: AbortSignal, started: number): Promise<FaultResult[]> {
  const results: FaultResult[] = [];
  for (const planned of planFaults(options.seed, options.faults, options.kinds ?? FAULT_KINDS)) {
    await sleep(planned.pauseS * 1000, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    if (options.minutes !== undefined && Date.now() - started > options.minutes * 60_000) {
      out(`chaos: ${options.minutes} minutes passed; no more faults`);
      break;
    }
    const bound = boundSeconds(planned.kind, CHAOS_TIMEOUTS);
    const t0 = Date.now();
    const injected = await INJECTORS[planned.kind]({ cluster, log, signal, idle: planned.idle, side: planned.side });
    // Repair first: a probe write waits for a crashed source to come back.
    // Its failure is kept for after the wait: a rejection nobody awaits yet would end the process.
    const repairing = injected.repair().then(() => undefined, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    const value = await probe.bump(signal);
    const seen = await probe.waitFor(value, t0 + RECOVERY_GIVE_UP_MS, signal);
    const repairFailed = await repairing;
    if (repairFailed !== undefined) throw repairFailed;
    const result: FaultResult = { kind: planned.kind, at: new Date(t0).toISOString(), target: targetLabel(planned, injected.target), recovered_s: seen === undefined ? null : (seen - t0) / 1000, bound_s: bound };
    results.push(result);
    log.info({ ...result }, 'chaos fault resolved');
    out(`chaos: ${results.length}/${options.faults} ${planned.kind} on ${result.target}: ${result.recovered_s === null ? 'replication did not move again' : `moved again after ${result.recovered_s.toFixed(1)} s`} (bound ${bound} s)`);
    // A stuck cluster makes every later fault meaningless: stop injecting, still check the data.
    if (seen === undefined) break;
  }
  return results;
}

async function check(source: Connection, target: Connection, outcome: LoadOutcome, seed: number, kinds: readonly FaultKind[], faults: FaultResult[], started: number, stuck: boolean): Promise<ChaosReport> {
  const tables = await compareTables(source, target, CHAOS_SCHEMA);
  const problems = tables.filter((t) => !t.same).map((t) => `table ${t.table}: ${t.detail ?? 'differs'}`);
  if (stuck) problems.push('the target never caught up after the load stopped');
  const onTarget = checkLedger(await readLedgerContent(target, CHAOS_SCHEMA), outcome.acked, outcome.inDoubt);
  const onSource = checkLedger(await readLedgerContent(source, CHAOS_SCHEMA), outcome.acked, outcome.inDoubt);
  problems.push(...onTarget.map((p) => `target ledger ${p.kind}: ${p.detail}`), ...onSource.map((p) => `source ledger ${p.kind}: ${p.detail}`));
  return {
    seed,
    kinds: [...kinds],
    faults,
    tables_compared: tables.length,
    diffs: problems.length,
    rows_compared: tables.reduce((sum, t) => sum + t.sourceRows, 0),
    duration_s: (Date.now() - started) / 1000,
    problems,
  };
}
