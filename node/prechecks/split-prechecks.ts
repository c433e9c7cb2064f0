import { describeError, FerryError } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';
import { checkAutoIncrement, ONE_WAY, readAutoIncrement, type AutoIncrementSettings } from './auto-increment.ts';
import { CHECKERS } from './checks.ts';
import { detectFlavorTraits, parseFlavorTraits } from './flavor-traits.ts';
import { readSourceKeyFacts } from './mapped-keys.ts';
import { privilegesOutcome, sourcePrivileges, targetPrivileges } from './privileges.ts';
import { checkSkipIds, couldNotRun, precheckSession, runChecks, skippedResult } from './run-prechecks.ts';
import { SOURCE_CHECK_IDS, type SourcePrecheckReport } from './source-report.ts';
import { isConnectionError, type SqlClient } from './sql.ts';
import { checkTestedFlavor } from './tested-flavor.ts';
import { isPrecheckId, PRECHECK_IDS, type CheckOutcome, type PrecheckId, type PrecheckOptions, type PrecheckResult, type ResumePosition } from './types.ts';

/*
 * The prechecks of a split pipeline, whose select side never connects to the target and whose
 * load side never to the source: runSourcePrechecks on the select side makes the report its
 * resume request carries; runTargetPrechecks on the load side joins it with the target's
 * checks into the results runPrechecks gives with both sessions at hand, so
 * assertPrechecksPassed throws the same error with the same message.
 */

/** The select side has no target: a checker that asks for it is a bug here, not a failed check. */
const NO_TARGET: SqlClient = {
  query: () => Promise.reject(new FerryError('FERRY_ERR_INTERNAL', { detail: 'a source precheck asked for the target, which the select side never connects to' })),
};

export interface SourcePrecheckContext {
  /** Connection as the source's replication user. */
  source: SqlClient;
  /** Replicated source tables, already resolved from patterns. */
  tables: TableRef[];
  /** Where a new pipeline would start (the resume request's startIfNew): binlog_retention there. */
  startIfNew?: ResumePosition;
  /** One direction of a bidirectional channel: the report carries the source's AUTO_INCREMENT settings. */
  bidirectional?: boolean;
}

/**
 * The select side's half: the checks the source answers alone (SOURCE_CHECK_IDS), the source
 * user's half of privileges, the source's version, and the replicated tables' key facts (read
 * whatever is skipped: checkMappedKeys cannot be). Connection errors are thrown as they are.
 */
export async function runSourcePrechecks(ctx: SourcePrecheckContext, options: PrecheckOptions = {}): Promise<SourcePrecheckReport> {
  const skip = options.skip ?? [];
  checkSkipIds(skip);
  const session = precheckSession({ source: ctx.source, target: NO_TARGET, tables: ctx.tables, ...(ctx.startIfNew ? { resumeFrom: ctx.startIfNew } : {}) });
  const results = await runChecks(SOURCE_CHECK_IDS, (id) => CHECKERS[id](session), skip);
  let privileges: SourcePrecheckReport['privileges'];
  if (!skip.includes('privileges')) {
    try {
      privileges = await sourcePrivileges({ client: ctx.source, flavor: await session.sourceFlavor() }, ctx.tables);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      privileges = { error: describeError(error) };
    }
  }
  const tables = [];
  for (const ref of ctx.tables) tables.push({ schema: ref.schema, table: ref.table, facts: await readSourceKeyFacts(ctx.source, ref) });
  // A failure to read is the load side's to report (couldNotRun), as for privileges.
  let autoIncrement: AutoIncrementSettings | undefined;
  if (ctx.bidirectional === true && !skip.includes('auto_increment')) {
    try {
      autoIncrement = await readAutoIncrement(ctx.source);
    } catch (error) {
      if (isConnectionError(error)) throw error;
    }
  }
  return {
    version: (await session.sourceFlavor()).version,
    skip: skip.filter(isPrecheckId),
    results,
    ...(privileges === undefined ? {} : { privileges }),
    tables,
    ...(autoIncrement === undefined ? {} : { autoIncrement }),
  };
}

export interface TargetPrecheckContext {
  /** Connection as the target's application user. */
  target: SqlClient;
  /** Target tables the loader writes: the report's tables as the load side's rules map them. */
  targetTables: TableRef[];
  /** Schema of Ferry's checkpoint table on the target. */
  systemSchema?: string;
  /**
   * The target's checkpoint, when it has one: the pipeline resumes there, not at the report's
   * startIfNew, so binlog_retention is left to the select side once it has the answer.
   */
  checkpoint?: ResumePosition;
  /** One direction of a bidirectional channel: auto_increment compares the report's source with the target. */
  bidirectional?: boolean;
}

/** What binlog_retention says on the load side of a pipeline that resumes from a checkpoint. */
export const RETENTION_ON_SELECT_SIDE = 'checked by the select side at the checkpoint, once the load side has answered';

/**
 * The load side's half: every precheck in PRECHECK_IDS order, as runPrechecks gives them. A
 * check either side skips is skipped; the source's results come from the report, tested_flavor
 * and privileges are joined here with the target's side, binlog_retention is the report's when
 * the target has no checkpoint. Connection errors are thrown as they are.
 */
export async function runTargetPrechecks(report: SourcePrecheckReport, ctx: TargetPrecheckContext, options: PrecheckOptions = {}): Promise<PrecheckResult[]> {
  checkSkipIds(options.skip ?? []);
  // A check either side's pipeline skips is skipped.
  const skip = [...(options.skip ?? []), ...report.skip];
  let targetFlavor: ReturnType<typeof detectFlavorTraits> | undefined;
  const flavor = () => (targetFlavor ??= detectFlavorTraits(ctx.target));
  const fromSource = new Map(report.results.map((result) => [result.id, result]));
  const results: PrecheckResult[] = [];
  for (const id of PRECHECK_IDS) {
    const reported = fromSource.get(id);
    if (skip.includes(id)) {
      results.push(skippedResult(id));
    } else if (id === 'binlog_retention' && ctx.checkpoint !== undefined) {
      results.push({ id, ok: true, detail: RETENTION_ON_SELECT_SIDE });
    } else if (reported !== undefined) {
      results.push(reported);
    } else {
      let outcome: CheckOutcome;
      try {
        outcome = await targetCheck(id, report, ctx, flavor);
      } catch (error) {
        if (isConnectionError(error)) throw error;
        outcome = couldNotRun(id, error);
      }
      results.push({ id, ...outcome });
    }
  }
  return results;
}

async function targetCheck(id: PrecheckId, report: SourcePrecheckReport, ctx: TargetPrecheckContext, flavor: () => ReturnType<typeof detectFlavorTraits>): Promise<CheckOutcome> {
  if (id === 'tested_flavor') return checkTestedFlavor(parseFlavorTraits(report.version), await flavor());
  if (id === 'privileges') {
    const source = report.privileges!;
    if ('error' in source) return couldNotRun(id, source.error);
    const target = await targetPrivileges({ client: ctx.target, flavor: await flavor() }, ctx.targetTables, ctx.systemSchema);
    return privilegesOutcome(source, target, report.tables.length, ctx.targetTables.length);
  }
  if (id === 'auto_increment') {
    if (ctx.bidirectional !== true) return ONE_WAY;
    if (report.autoIncrement === undefined) return couldNotRun(id, "the select side's report holds no AUTO_INCREMENT settings of the source");
    return checkAutoIncrement(report.autoIncrement, await readAutoIncrement(ctx.target));
  }
  throw new FerryError('FERRY_ERR_INTERNAL', { detail: `no load-side precheck ${id}` });
}

/**
 * binlog_retention on the select side once the load side has answered with the checkpoint it
 * resumes from, as the results assertPrechecksPassed counts (the others were the load
 * side's to judge before its claim).
 */
export async function runRetentionPrecheck(source: SqlClient, resumeFrom: ResumePosition, options: PrecheckOptions = {}): Promise<PrecheckResult[]> {
  const skip = options.skip ?? [];
  checkSkipIds(skip);
  const session = precheckSession({ source, target: NO_TARGET, tables: [], resumeFrom });
  const [retention] = await runChecks(['binlog_retention'], (id) => CHECKERS[id](session), skip);
  return PRECHECK_IDS.map((id) => (id === 'binlog_retention' ? retention! : { id, ok: true, detail: 'checked by the load side before its claim' }));
}
