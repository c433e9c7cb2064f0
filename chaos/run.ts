import type { Connection } from 'mysql2/promise';
import mysql from 'mysql2/promise';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { servicesDown, type MariaDbInstance, type ServicesState } from '../services/index.ts';
import { FerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { CHAOS_TIMEOUTS, startChaosCluster, type ChaosCluster, type PreparedServers } from './cluster.ts';
import { compareTables, readLedgerContent, type TableComparison } from './compare.ts';
import { INJECTORS } from './injectors.ts';
import { FAULT_KINDS, boundSeconds, type FaultKind } from './kinds.ts';
import { checkLedger } from './ledger-check.ts';
import { connector, runLoad, type LoadOutcome } from './load.ts';
import { CHAOS_SCHEMA, CHAOS_SEED_ROWS, CHAOS_TABLES } from './load-schema.ts';
import type { ChaosProcess } from './processes.ts';
import { Probe } from './probe.ts';
import { ProbeSet, describeArrivals } from './probe-set.ts';
import { BI_SCHEMA, BI_SIDES, biPipelinesReading, biProbes, prepareBiMaster, runBiLoads } from './bidirectional.ts';
import { checkBidirectional } from './bi-check.ts';
import { passed, summaryLines, writeReport, type ChaosReport, type FaultResult } from './report.ts';
import { DEFAULT_OVERLAP_SHARE, planFaults, targetLabel, type PlannedFault } from './schedule.ts';
import { compareStandby } from './standby.ts';
import { ChaosWan } from './wan.ts';

export interface ChaosOptions {
  faults: number;
  seed: number;
  /** Stop injecting after this many minutes even if faults remain. */
  minutes?: number;
  /** The kinds the schedule draws from (default: every kind). */
  kinds?: readonly FaultKind[];
  /** Share of faults injected while the previous one is unresolved (default DEFAULT_OVERLAP_SHARE). */
  overlap?: number;
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
    // The source group's master of now: a source-switch makes it the other server.
    const group = cluster.sourceGroup;
    const atMaster = () => at(group.master())();
    const biServers = { peer: cluster.peer, target: cluster.target };
    // Replication moved only when every direction did: the main pipeline and both of chaos-bi.
    const probes = new ProbeSet([new Probe(atMaster, at(cluster.target), 'chaos-forward', CHAOS_SCHEMA, 1, group.writers), ...biProbes(at, biServers)]);
    const reading = await biPipelinesReading(cluster.nodes, RECOVERY_GIVE_UP_MS, signal);
    if (!reading || (await probes.flowing(Date.now() + RECOVERY_GIVE_UP_MS, signal)).last === undefined) {
      if (signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
      throw new FerryError('FERRY_ERR_CHAOS_NOT_REPLICATING', { seconds: RECOVERY_GIVE_UP_MS / 1000, logDir: join(stateDir, 'logs') });
    }
    out('chaos: cluster replicating; load started');

    const load = runLoad({ connect: atMaster, writers: 3, perSecond: 15, seed: options.seed, log, gate: group.writers }, loadStop.signal);
    const biLoads = runBiLoads(at, biServers, options.seed, log, loadStop.signal);
    const faults = await injectAll(cluster, probes, options, log, out, signal, started);
    loadStop.abort();
    const outcome = await load;
    const biOutcomes = await biLoads;

    out(`chaos: load stopped after ${outcome.acked.size} transactions (${outcome.inDoubt.size} in doubt, ${outcome.failed} refused before their commit); waiting for the target to catch up`);
    out(`chaos: bidirectional load stopped after ${biOutcomes.map((o, i) => `${o.acked.size} on the ${BI_SIDES[i]!.server} (${o.inDoubt.size} in doubt, ${o.failed} refused)`).join(', ')}`);
    const caughtUp = (await probes.moved(Date.now() + 600_000, signal)).last;
    if (signal.aborted) throw new FerryError('FERRY_ERR_CHAOS_INTERRUPTED');
    const source = await atMaster();
    connections.push(source);
    const target = await at(cluster.target)();
    connections.push(target);
    const standby = await compareStandby(group.master(), group.standby(), cluster.services.users);
    out(`chaos: ${standby.what}: ${standby.tables} tables, ${standby.rows} rows compared, ${standby.problems.length} differences`);
    const peer = await at(cluster.peer)();
    connections.push(peer);
    const bi = await checkBidirectional(peer, target, biOutcomes);
    const report = await check(source, target, outcome, options, faults, started, caughtUp === undefined, bi, standby.problems);
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

async function createSchema(state: ServicesState, { source, target, peer }: PreparedServers): Promise<void> {
  for (const [db, side] of [[peer, BI_SIDES[0]], [target, BI_SIDES[1]]] as const) await prepareBiMaster(db, state.users, side);
  for (const db of [source, target, peer]) {
    const connection = await mysql.createConnection({ host: db.host, port: db.port, user: state.users.app.user, password: state.users.app.password, multipleStatements: true });
    try {
      await connection.query(`CREATE DATABASE ${CHAOS_SCHEMA}; USE ${CHAOS_SCHEMA}; ${[...CHAOS_TABLES, ...CHAOS_SEED_ROWS].join(';\n')}`);
    } finally {
      await connection.end();
    }
  }
}

/**
 * The schedule: each fault resolved (repaired, replication moved) before the next, except a
 * fault the schedule overlaps with the one before it: injected `pauseS` after that one's
 * injection, the pair then resolved together. Each fault of a pair is bounded by both kinds'
 * bounds added: its recovery may have to wait for the other's.
 */
async function injectAll(cluster: ChaosCluster, probes: ProbeSet, options: ChaosOptions, log: Logger, out: (line: string) => void, signal: AbortSignal, started: number): Promise<FaultResult[]> {
  const results: FaultResult[] = [];
  let running: { number: number; ownBound: number; done: Promise<Settled> } | undefined;
  let injected = 0;
  // Records a resolved fault; false when replication never moved again (stop injecting).
  const record = async (done: Promise<Settled>): Promise<boolean> => {
    const settled = await done;
    if ('error' in settled) throw settled.error;
    const result = settled.result;
    results.push(result);
    log.info({ ...result }, 'chaos fault resolved');
    const overlapping = result.overlaps === undefined ? '' : `, overlapping fault ${result.overlaps}: both bounds`;
    out(`chaos: ${results.length}/${options.faults} ${result.kind} on ${result.target}: ${result.recovered_s === null ? 'replication did not move again' : `moved again after ${result.recovered_s.toFixed(1)} s`} (bound ${result.bound_s} s${overlapping})`);
    return result.recovered_s !== null;
  };
  const plan = planFaults(options.seed, options.faults, options.kinds ?? FAULT_KINDS, options.overlap ?? DEFAULT_OVERLAP_SHARE);
  for (const [i, planned] of plan.entries()) {
    const overlapped = planned.overlap ? running : undefined;
    if (running !== undefined && overlapped === undefined) {
      const moved = await record(running.done);
      running = undefined;
      // A stuck cluster makes every later fault meaningless: stop injecting, still check the data.
      if (!moved) break;
    }
    await sleep(planned.pauseS * 1000, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    if (options.minutes !== undefined && Date.now() - started > options.minutes * 60_000) {
      out(`chaos: ${options.minutes} minutes passed; no more faults`);
      break;
    }
    // Each fault of an overlapping pair may wait for the other's recovery: both bounds add up.
    const next = plan[i + 1]?.overlap === true ? plan[i + 1] : undefined;
    const ownBound = boundSeconds(planned.kind, CHAOS_TIMEOUTS);
    const bound = ownBound + (overlapped?.ownBound ?? 0) + (next === undefined ? 0 : boundSeconds(next.kind, CHAOS_TIMEOUTS));
    const number = ++injected;
    if (overlapped !== undefined) out(`chaos: ${number}/${options.faults} ${planned.kind} injected while fault ${overlapped.number} is unresolved`);
    const other = overlapped?.number ?? (next === undefined ? undefined : number + 1);
    const done = settle(resolveFault(cluster, probes, planned, bound, other, log, signal));
    if (overlapped === undefined) {
      running = { number, ownBound, done };
      continue;
    }
    // Both recorded in injection order; the next fault waits for both.
    const moved = [await record(overlapped.done), await record(done)];
    running = undefined;
    if (moved.includes(false)) break;
  }
  if (running !== undefined) await record(running.done);
  return results;
}

type Settled = { result: FaultResult } | { error: Error };

/** A promise that never rejects: a fault resolving while the next is injected must not end the process. */
function settle(resolving: Promise<FaultResult>): Promise<Settled> {
  return resolving.then((result) => ({ result }), (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }));
}

/** Injects one fault, starts its repair, and waits until replication moved again (or gives up). */
async function resolveFault(cluster: ChaosCluster, probes: ProbeSet, planned: PlannedFault, bound: number, overlaps: number | undefined, log: Logger, signal: AbortSignal): Promise<FaultResult> {
  const t0 = Date.now();
  const injected = await INJECTORS[planned.kind]({ cluster, log, signal, idle: planned.idle, side: planned.side });
  // Repair first: a probe write waits for a crashed source to come back.
  // Its failure is kept for after the wait: a rejection nobody awaits yet would end the process.
  const repairing = injected.repair().then(() => undefined, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const arrivals = await probes.moved(t0 + RECOVERY_GIVE_UP_MS, signal);
  const seen = arrivals.last;
  log.info({ kind: planned.kind, directions: describeArrivals(arrivals, t0) }, 'chaos probes after a fault');
  const repairFailed = await repairing;
  if (repairFailed !== undefined) throw repairFailed;
  return {
    kind: planned.kind,
    at: new Date(t0).toISOString(),
    target: targetLabel(planned, injected.target),
    recovered_s: seen === undefined ? null : (seen - t0) / 1000,
    bound_s: bound,
    ...(overlaps === undefined ? {} : { overlaps }),
  };
}

/** `bi`: the bidirectional channel's check; `more`: problems found elsewhere (the source group's standby), counted in diffs too. */
async function check(source: Connection, target: Connection, outcome: LoadOutcome, options: ChaosOptions, faults: FaultResult[], started: number, stuck: boolean, bi: { tables: TableComparison[]; problems: string[] }, more: string[]): Promise<ChaosReport> {
  const tables = await compareTables(source, target, CHAOS_SCHEMA);
  const problems = tables.filter((t) => !t.same).map((t) => `table ${t.table}: ${t.detail ?? 'differs'}`);
  problems.push(...bi.problems);
  if (stuck) problems.push('the target never caught up after the load stopped');
  const onTarget = checkLedger(await readLedgerContent(target, CHAOS_SCHEMA), outcome.acked, outcome.inDoubt);
  const onSource = checkLedger(await readLedgerContent(source, CHAOS_SCHEMA), outcome.acked, outcome.inDoubt);
  problems.push(...onTarget.map((p) => `target ledger ${p.kind}: ${p.detail}`), ...onSource.map((p) => `source ledger ${p.kind}: ${p.detail}`));
  problems.push(...more);
  return {
    seed: options.seed,
    kinds: [...(options.kinds ?? FAULT_KINDS)],
    overlap: options.overlap ?? DEFAULT_OVERLAP_SHARE,
    faults,
    tables_compared: tables.length + bi.tables.length,
    diffs: problems.length,
    rows_compared: rowsOf(tables) + rowsOf(bi.tables),
    schemas: { [CHAOS_SCHEMA]: { tables_compared: tables.length, rows_compared: rowsOf(tables) }, [BI_SCHEMA]: { tables_compared: bi.tables.length, rows_compared: rowsOf(bi.tables) } },
    duration_s: (Date.now() - started) / 1000,
    problems,
  };
}

const rowsOf = (tables: TableComparison[]): number => tables.reduce((sum, t) => sum + t.sourceRows, 0);
