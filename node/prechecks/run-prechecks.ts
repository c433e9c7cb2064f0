import { describeError, FerryError } from '../../shared/errors/index.ts';
import { readServerVariables, type ServerVariables } from './binlog-settings.ts';
import { CHECKERS, type PrecheckSession } from './checks.ts';
import { detectFlavorTraits, type FlavorTraits } from './flavor-traits.ts';
import { failureSummary } from './report.ts';
import { isConnectionError } from './sql.ts';
import { isPrecheckId, PRECHECK_IDS, type CheckOutcome, type PrecheckContext, type PrecheckOptions, type PrecheckResult } from './types.ts';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
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
  const unknown = skip.filter((id) => !isPrecheckId(id));
  if (unknown.length > 0) {
    throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `unknown precheck id ${unknown.join(', ')} in skip (known ids: ${PRECHECK_IDS.join(', ')})` });
  }
  const session: PrecheckSession = {
    ctx,
    sourceFlavor: once<FlavorTraits>(() => detectFlavorTraits(ctx.source)),
    targetFlavor: once<FlavorTraits>(() => detectFlavorTraits(ctx.target)),
    sourceVariables: once<ServerVariables>(() => readServerVariables(ctx.source)),
  };
  const results: PrecheckResult[] = [];
  for (const id of PRECHECK_IDS) {
    if (skip.includes(id)) {
      results.push({ id, ok: true, skipped: true, detail: 'skipped by request' });
      continue;
    }
    let outcome: CheckOutcome;
    try {
      outcome = await CHECKERS[id](session);
    } catch (error) {
      if (isConnectionError(error)) throw error;
      outcome = {
        ok: false,
        detail: `the check could not run: ${describeError(error)}`,
        instruction: `Fix the cause above (often a privilege the user lacks for the statement named), or skip the check by id (${id}) if you have checked it by hand.`,
      };
    }
    results.push({ id, ...outcome });
  }
  return results;
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
