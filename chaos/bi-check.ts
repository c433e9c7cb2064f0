import type { Connection } from 'mysql2/promise';
import { BI_SCHEMA } from './bidirectional.ts';
import { compareTables, readLedgerContent, type TableComparison } from './compare.ts';
import { checkLedger } from './ledger-check.ts';
import type { LoadOutcome } from './load.ts';

/** The writers of both sides as one: sequence numbers are disjoint, so the union is exact. */
export function unionOutcomes(outcomes: readonly LoadOutcome[]): LoadOutcome {
  const union: LoadOutcome = { acked: new Set(), inDoubt: new Set(), failed: 0 };
  for (const o of outcomes) {
    for (const seq of o.acked) union.acked.add(seq);
    for (const seq of o.inDoubt) union.inDoubt.add(seq);
    union.failed += o.failed;
  }
  return union;
}

/**
 * The bidirectional channel's final check: `chaos_bi` identical on peer and target (every
 * table, every row), and on each side every transaction of either side present exactly once
 * (the ledger of both sides' writers, acked and in doubt together).
 */
export async function checkBidirectional(peer: Connection, target: Connection, outcomes: readonly LoadOutcome[]): Promise<{ tables: TableComparison[]; problems: string[] }> {
  const tables = await compareTables(peer, target, BI_SCHEMA);
  const problems = tables.filter((t) => !t.same).map((t) => `${BI_SCHEMA} table ${t.table} (peer vs target): ${t.detail ?? 'differs'}`);
  const all = unionOutcomes(outcomes);
  for (const [side, connection] of [['peer', peer], ['target', target]] as const) {
    const found = checkLedger(await readLedgerContent(connection, BI_SCHEMA), all.acked, all.inDoubt);
    problems.push(...found.map((p) => `${BI_SCHEMA} ${side} ledger ${p.kind}: ${p.detail}`));
  }
  return { tables, problems };
}
