import type { Connection, RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
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

async function gtidBinlogPos(connection: Connection): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS pos');
  return String(rows[0]?.pos);
}

/**
 * Nothing bounces: with every writer stopped and every probe arrived, neither master's binlog
 * grows any more (two samples `quietMs` apart agree; tried until `timeoutMs`). A change going
 * round between the two would keep both growing.
 */
export async function binlogsAtRest(connections: readonly Connection[], quietMs: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = await Promise.all(connections.map(gtidBinlogPos));
    await sleep(quietMs);
    const after = await Promise.all(connections.map(gtidBinlogPos));
    if (before.join() === after.join()) return true;
  }
  return false;
}

/**
 * The bidirectional channel's final check: both binlogs at rest, `chaos_bi` identical on peer
 * and target (every table, every row), and on each side every transaction of either side present exactly once
 * (the ledger of both sides' writers, acked and in doubt together).
 */
export async function checkBidirectional(peer: Connection, target: Connection, outcomes: readonly LoadOutcome[]): Promise<{ tables: TableComparison[]; problems: string[] }> {
  const tables = await compareTables(peer, target, BI_SCHEMA);
  const problems = tables.filter((t) => !t.same).map((t) => `${BI_SCHEMA} table ${t.table} (peer vs target): ${t.detail ?? 'differs'}`);
  // Under the mirror keep-alive's 60 s: an idle channel writes nothing before that.
  if (!(await binlogsAtRest([peer, target], 5_000, 40_000))) problems.push(`${BI_SCHEMA}: the binlogs of peer and target still grow after the load stopped (a change going round?)`);
  const all = unionOutcomes(outcomes);
  for (const [side, connection] of [['peer', peer], ['target', target]] as const) {
    const found = checkLedger(await readLedgerContent(connection, BI_SCHEMA), all.acked, all.inDoubt);
    problems.push(...found.map((p) => `${BI_SCHEMA} ${side} ledger ${p.kind}: ${p.detail}`));
  }
  return { tables, problems };
}
