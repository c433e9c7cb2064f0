import type { Flavour } from './flavour.ts';
import type { CheckOutcome } from './types.ts';

/**
 * The servers Ferry's test suite runs against, as `name major.minor`. Anything else may work
 * but has never been tried: MySQL 8 differs in GTID format, binlog events (binary JSON,
 * PARTIAL_UPDATE_ROWS) and statements (SHOW MASTER STATUS is gone in 8.4).
 */
export const TESTED_FLAVOURS = ['MariaDB 10.11'] as const;

function isTested(flavour: Flavour): boolean {
  const minor = /^\d+\.\d+/.exec(flavour.version)?.[0] ?? '';
  const name = flavour.name === 'mariadb' ? 'MariaDB' : 'MySQL';
  return (TESTED_FLAVOURS as readonly string[]).includes(`${name} ${minor}`);
}

/** Refuses a source or target server of a flavour the suite has never run against. */
export function checkTestedFlavour(source: Flavour, target: Flavour): CheckOutcome {
  const untested: string[] = [];
  if (!isTested(source)) untested.push(`source is ${source.label}`);
  if (!isTested(target)) untested.push(`target is ${target.label}`);
  if (untested.length === 0) return { ok: true, detail: `source ${source.label}, target ${target.label}: tested flavours` };
  const detail = `${untested.join(', ')}; Ferry is tested against ${TESTED_FLAVOURS.join(', ')} only`;
  return {
    ok: false,
    detail,
    instruction: 'To run against it anyway, at your own risk, skip this check by id (tested_flavour), then compare source and target tables after a trial run.',
    error: { code: 'FERRY_ERR_FLAVOUR_UNTESTED', details: { detail } },
  };
}
