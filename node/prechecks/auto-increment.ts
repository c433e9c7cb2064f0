import { asText, queryRows, type SqlClient } from './sql.ts';
import type { CheckOutcome } from './types.ts';

/**
 * auto_increment: the two masters of a bidirectional pipeline must never generate the same
 * AUTO_INCREMENT id, or rows inserted on both sides collide under one key (a conflict on every
 * such insert, one side's row lost under primary-wins). A server generates offset + k*increment;
 * two such progressions share a value exactly when gcd(increments) divides the difference of
 * the offsets (Chinese remainder theorem), so increment 2 with offsets 1 and 2 never meet.
 *
 * An offset larger than the increment is refused on its own: MariaDB 10.11 then follows
 * offset mod increment, but not for a table's first row (measured with InnoDB: increment 3
 * offset 5 gave 1, 5, 8, 11; increment 4 offset 6 gave 2, 6, 10), so the progression proves
 * nothing about that row.
 */

export interface AutoIncrementSettings {
  increment: number;
  offset: number;
}

export const AUTO_INCREMENT_VARIABLES = ['auto_increment_increment', 'auto_increment_offset'] as const;

/** The server's GLOBAL settings (what new sessions, the applications' next connections, get). */
export async function readAutoIncrement(client: SqlClient): Promise<AutoIncrementSettings> {
  const rows = await queryRows(client, 'SHOW GLOBAL VARIABLES WHERE Variable_name IN (?, ?)', [...AUTO_INCREMENT_VARIABLES]);
  const value = (name: string) => Number(asText(rows.find((row) => asText(row.Variable_name)?.toLowerCase() === name)?.Value) ?? '1');
  return { increment: value('auto_increment_increment'), offset: value('auto_increment_offset') };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Whether offset + k*increment of `a` and of `b` share a value (both offsets at most their increment). */
export function progressionsMeet(a: AutoIncrementSettings, b: AutoIncrementSettings): boolean {
  return (a.offset - b.offset) % gcd(a.increment, b.increment) === 0;
}

/** One server's settings as text. */
function described(settings: AutoIncrementSettings): string {
  return `auto_increment_increment ${settings.increment}, auto_increment_offset ${settings.offset}`;
}

const SKIP = 'Skip this check by id (auto_increment) only if no replicated table has an AUTO_INCREMENT column, or the applications write each table on one side only.';

/** What each of the two masters should set: increment 2 (or keep a common larger one), offsets 1 and 2. */
function instruction(source: AutoIncrementSettings, target: AutoIncrementSettings): string {
  const increment = Math.max(2, source.increment === target.increment ? source.increment : 2);
  const set = (offset: number) => `SET GLOBAL auto_increment_increment = ${increment}, auto_increment_offset = ${offset}`;
  return `Give the two masters the same increment and different offsets: on the source run ${set(1)}; on the target ${set(2)}; `
    + 'put both under [mysqld] in each my.cnf so a restart keeps them. Sessions opened before keep their old values until they reconnect, so reconnect the applications. '
    + SKIP;
}

/** The check of a bidirectional pipeline's two masters (its source and its target). */
export function checkAutoIncrement(source: AutoIncrementSettings, target: AutoIncrementSettings): CheckOutcome {
  const found = `source has ${described(source)}; target has ${described(target)}`;
  const sides: Array<[string, AutoIncrementSettings]> = [['source', source], ['target', target]];
  const tooLarge = sides.filter(([, s]) => s.offset > s.increment).map(([side]) => side);
  if (tooLarge.length > 0) {
    return {
      ok: false,
      detail: `${found}: on the ${tooLarge.join(' and the ')} the offset is larger than the increment, which MariaDB does not follow for a table's first row, so both masters can generate the same id`,
      instruction: instruction(source, target),
    };
  }
  if (progressionsMeet(source, target)) {
    return {
      ok: false,
      detail: `${found}: both masters can generate the same AUTO_INCREMENT id, so rows inserted on both sides would collide under one key`,
      instruction: instruction(source, target),
    };
  }
  return { ok: true, detail: `${found}: their ids never meet` };
}

/** A one-way pipeline: ids generated on its target are not replicated back, nothing to compare. */
export const ONE_WAY: CheckOutcome = { ok: true, detail: 'one-way pipeline: not checked (only the two masters of a bidirectional channel must generate different ids)' };
