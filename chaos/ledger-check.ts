/**
 * The load's accounting: every source transaction writes one `ledger` row under a unique
 * sequence number naming what it did, so the target's content can be checked against it.
 * Pure: it takes rows, so a unit test can feed it fake tables.
 */

export type LedgerOp = 'insert' | 'update' | 'delete';

export interface LedgerRow {
  seq: number;
  op: LedgerOp;
  /** The item inserted or deleted, or the account updated. */
  rowId: number;
}

export interface ItemRow {
  id: number;
  /** The sequence number of the transaction that inserted it. */
  seq: number;
}

export interface AccountRow {
  id: number;
  /** Updates applied: one per update transaction naming this account. */
  ops: number;
  /** The sum of every applied update's delta (accountDelta(seq)). */
  balance: number;
}

export interface LedgerContent {
  ledger: LedgerRow[];
  items: ItemRow[];
  accounts: AccountRow[];
}

export interface LedgerProblem {
  kind: 'missing' | 'doubled' | 'unexpected' | 'wrong';
  detail: string;
}

/** An update transaction adds this to its account's balance: distinct sums catch a swapped or lost update. */
export function accountDelta(seq: number): number {
  return (seq % 97) + 1;
}

/**
 * Checks `content` (the target's tables) against what the writers know: `acked` transactions
 * committed, `inDoubt` ones whose commit answer was lost (either outcome is right, once).
 * Every acked transaction's effect must be present exactly once, and nothing else.
 */
export function checkLedger(content: LedgerContent, acked: Iterable<number>, inDoubt: Iterable<number> = []): LedgerProblem[] {
  const problems: LedgerProblem[] = [];
  const bySeq = new Map<number, LedgerRow>();
  for (const row of content.ledger) {
    if (bySeq.has(row.seq)) problems.push({ kind: 'doubled', detail: `ledger seq ${row.seq} present twice` });
    bySeq.set(row.seq, row);
  }
  const ackedSet = new Set(acked);
  const doubtSet = new Set(inDoubt);
  for (const seq of ackedSet) if (!bySeq.has(seq)) problems.push({ kind: 'missing', detail: `transaction ${seq} committed on the source, absent from the ledger` });
  for (const seq of bySeq.keys()) if (!ackedSet.has(seq) && !doubtSet.has(seq)) problems.push({ kind: 'unexpected', detail: `ledger seq ${seq} was never written` });

  const deleted = new Set<number>();
  const inserted = new Map<number, number>();
  const updates = new Map<number, { ops: number; balance: number }>();
  for (const row of bySeq.values()) {
    if (row.op === 'insert') inserted.set(row.rowId, row.seq);
    else if (row.op === 'delete') deleted.add(row.rowId);
    else {
      const sum = updates.get(row.rowId) ?? { ops: 0, balance: 0 };
      updates.set(row.rowId, { ops: sum.ops + 1, balance: sum.balance + accountDelta(row.seq) });
    }
  }
  const items = new Map<number, ItemRow[]>();
  for (const item of content.items) items.set(item.id, [...(items.get(item.id) ?? []), item]);
  for (const [id, rows] of items) {
    if (rows.length > 1) problems.push({ kind: 'doubled', detail: `item ${id} present ${rows.length} times` });
    const seq = inserted.get(id);
    if (seq === undefined) problems.push({ kind: 'unexpected', detail: `item ${id} has no insert in the ledger` });
    else if (deleted.has(id)) problems.push({ kind: 'wrong', detail: `item ${id} deleted by the ledger, present` });
    else if (rows[0]!.seq !== seq) problems.push({ kind: 'wrong', detail: `item ${id} carries seq ${rows[0]!.seq}, inserted by ${seq}` });
  }
  for (const [id] of inserted) if (!deleted.has(id) && !items.has(id)) problems.push({ kind: 'missing', detail: `item ${id} inserted by the ledger, absent` });
  const accounts = new Map(content.accounts.map((a) => [a.id, a]));
  for (const [id, want] of updates) {
    const got = accounts.get(id);
    if (!got) problems.push({ kind: 'missing', detail: `account ${id} absent` });
    else if (got.ops > want.ops) problems.push({ kind: 'doubled', detail: `account ${id}: ${got.ops} updates applied, ${want.ops} in the ledger` });
    else if (got.ops < want.ops) problems.push({ kind: 'missing', detail: `account ${id}: ${got.ops} updates applied, ${want.ops} in the ledger` });
    else if (got.balance !== want.balance) problems.push({ kind: 'wrong', detail: `account ${id}: balance ${got.balance}, the ledger sums to ${want.balance}` });
  }
  for (const account of content.accounts) {
    if (!updates.has(account.id) && (account.ops !== 0 || account.balance !== 0)) problems.push({ kind: 'unexpected', detail: `account ${account.id} updated without a ledger entry` });
  }
  return problems;
}
