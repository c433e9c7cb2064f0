import { describeError, FerryError } from '../../shared/errors/index.ts';
import { readServerVariables, type ServerVariables } from './binlog-settings.ts';
import { CHECKERS, type PrecheckSession } from './checks.ts';
import { detectFlavorTraits, type FlavorTraits } from './flavor-traits.ts';
import { failureSummary } from './report.ts';
import { isConnectionError } from './sql.ts';
import { isPrecheckId, PRECHECK_IDS, type CheckOutcome, type PrecheckContext, type PrecheckId, type PrecheckOptions, type PrecheckResult } from './types.ts';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

/** Throws FERRY_ERR_CONFIG_INVALID when `skip` names an unknown id. */
export function checkSkipIds(skip: readonly string[]): void {
  const unknown = skip.filter((id) => !isPrecheckId(id));
  if (unknown.length > 0) {
    throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `unknown precheck id ${unknown.join(', ')} in skip (known ids: ${PRECHECK_IDS.join(', ')})` });
  }
}

/** A check that threw an SQL error: failed, with that error as its detail. */
export function couldNotRun(id: PrecheckId, error: unknown): CheckOutcome {
  return {
    ok: false,
    detail: `the check could not run: ${describeError(error)}`,
    instruction: `Fix the cause above (often a privilege the user lacks for the statement named), or skip the check by id (${id}) if you have checked it by hand.`,
  };
}

/** The result of a check the caller skipped. */
export function skippedResult(id: PrecheckId): PrecheckResult {
  return { id, ok: true, skipped: true, detail: 'skipped by request' };
}

/**
 * Runs `check` for each of `ids` in order but the skipped ones (marked skipped instead). An
 * SQL error fails that check (couldNotRun); a connection error is thrown as it is.
 */
export async function runChecks(ids: readonly PrecheckId[], check: (id: PrecheckId) => Promise<CheckOutcome>, skip: readonly string[]): Promise<PrecheckResult[]> {
  const results: PrecheckResult[] = [];
  for (const id of ids) {
    if (skip.includes(id)) {
      results.push(skippedResult(id));
      continue;
    }
    let outcome: CheckOutcome;
    try {
      outcome = await check(id);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      outcome = couldNotRun(id, error);
    }
    results.push({ id, ...outcome });
  }
  return results;
}

/** The facts each checker reads once, on first use. */
export function precheckSession(ctx: PrecheckContext): PrecheckSession {
  return {
    ctx,
    sourceFlavor: once<FlavorTraits>(() => detectFlavorTraits(ctx.source)),
    targetFlavor: once<FlavorTraits>(() => detectFlavorTraits(ctx.target)),
    sourceVariables: once<ServerVariables>(() => readServerVariables(ctx.source)),
  };
}

/**
 * Runs every precheck but the skipped ones, in PRECHECK_IDS order, and returns one result
 * per id (skipped ones included, marked). A check that cannot run (an SQL error such as a
 * denied SHOW statement) fails with that error as its detail. Connection errors (mysql2
 * `fatal`) are thrown as they are: the caller maps them to *_UNREACHABLE and retries.
 *
 * Throws FERRY_ERR_CONFIG_INVALID when `skip` names an unknown id.
 */
export async function runPrechecks(ctx: PrecheckContext, options: PrecheckOptions = {}): Promise<PrecheckResult[]> {
  const skip = options.skip ?? [];
  checkSkipIds(skip);
  const session = precheckSession(ctx);
  return runChecks(PRECHECK_IDS, (id) => CHECKERS[id](session), skip);
}

/**
 * Throws when any check failed, naming every failure at once. A lone failure that is a
 * specific condition throws its own code, so callers can act on it (a purged binlog may
 * start a full sync): FERRY_ERR_BINLOG_PURGED, FERRY_ERR_TABLE_NO_KEY. Anything else, or
 * several failures, throws FERRY_ERR_PRECHECK_FAILED. `details.failures` always lists
 * {id, detail, instruction} of every failure.
 */
export function assertPrechecksPassed(results: readonly PrecheckResult[]): void {
  const failed = results.filter((result) => !result.ok);
  if (failed.length === 0) return;
  const failures = failed.map(({ id, detail, instruction }) => ({ id, detail, instruction }));
  const only = failed.length === 1 ? failed[0] : undefined;
  if (only?.error) throw new FerryError(only.error.code, { ...only.error.details, detail: only.detail, failures });
  throw new FerryError('FERRY_ERR_PRECHECK_FAILED', { detail: failureSummary(results), failures });
}
