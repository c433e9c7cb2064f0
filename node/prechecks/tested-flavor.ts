import type { FlavorTraits } from './flavor-traits.ts';
import type { CheckOutcome } from './types.ts';

/**
 * The servers Ferry's test suite runs against, as `name major.minor`. Anything else may work
 * but has never been tried: MySQL 8 differs in GTID format, binlog events (binary JSON,
 * PARTIAL_UPDATE_ROWS) and statements (SHOW MASTER STATUS is gone in 8.4).
 */
export const TESTED_FLAVORS = ['MariaDB 10.11'] as const;

function isTested(flavor: FlavorTraits): boolean {
  const minor = /^\d+\.\d+/.exec(flavor.version)?.[0] ?? '';
  const name = flavor.name === 'mariadb' ? 'MariaDB' : 'MySQL';
  return (TESTED_FLAVORS as readonly string[]).includes(`${name} ${minor}`);
}

/** Refuses a source or target server of a flavor the suite has never run against. */
export function checkTestedFlavor(source: FlavorTraits, target: FlavorTraits): CheckOutcome {
  const untested: string[] = [];
  if (!isTested(source)) untested.push(`source is ${source.label}`);
  if (!isTested(target)) untested.push(`target is ${target.label}`);
  if (untested.length === 0) return { ok: true, detail: `source ${source.label}, target ${target.label}: tested flavors` };
  const detail = `${untested.join(', ')}; Ferry is tested against ${TESTED_FLAVORS.join(', ')} only`;
  return {
    ok: false,
    detail,
    instruction: 'To run against it anyway, at your own risk, skip this check by id (tested_flavor), then compare source and target tables after a trial run.',
    error: { code: 'FERRY_ERR_FLAVOR_UNTESTED', details: { detail } },
  };
}
