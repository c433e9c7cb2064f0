import { describe, expect, it } from 'vitest';
import { accountDelta, checkLedger, type LedgerContent } from '../../../chaos/ledger-check.ts';

/** Inserted items 16 and 32, deleted 16 (seq 48), two updates of account 1 (seqs 17 and 33). */
function content(): LedgerContent {
  return {
    ledger: [
      { seq: 16, op: 'insert', rowId: 16 },
      { seq: 32, op: 'insert', rowId: 32 },
      { seq: 17, op: 'update', rowId: 1 },
      { seq: 33, op: 'update', rowId: 1 },
      { seq: 48, op: 'delete', rowId: 16 },
    ],
    items: [{ id: 32, seq: 32 }],
    accounts: [{ id: 1, ops: 2, balance: accountDelta(17) + accountDelta(33) }, { id: 2, ops: 0, balance: 0 }],
  };
}
const acked = [16, 32, 17, 33, 48];

describe('chaos ledger check', () => {
  it('accepts content where every transaction is present once', () => {
    expect(checkLedger(content(), acked)).toEqual([]);
  });

  it('reports a committed transaction absent from the ledger', () => {
    const c = content();
    c.ledger = c.ledger.filter((r) => r.seq !== 32);
    c.items = [];
    expect(checkLedger(c, acked).map((p) => p.kind)).toContain('missing');
  });

  it('reports an inserted item absent', () => {
    const c = content();
    c.items = [];
    expect(checkLedger(c, acked)).toEqual([{ kind: 'missing', detail: 'item 32 inserted by the ledger, absent' }]);
  });

  it('reports an update applied twice', () => {
    const c = content();
    c.accounts[0] = { id: 1, ops: 3, balance: accountDelta(17) + 2 * accountDelta(33) };
    expect(checkLedger(c, acked)).toEqual([{ kind: 'doubled', detail: 'account 1: 3 updates applied, 2 in the ledger' }]);
  });

  it('reports an update lost', () => {
    const c = content();
    c.accounts[0] = { id: 1, ops: 1, balance: accountDelta(17) };
    expect(checkLedger(c, acked).map((p) => p.kind)).toEqual(['missing']);
  });

  it('reports a ledger row present twice and an item present twice', () => {
    const c = content();
    c.ledger.push({ seq: 32, op: 'insert', rowId: 32 });
    c.items.push({ id: 32, seq: 32 });
    expect(checkLedger(c, acked).map((p) => p.kind)).toEqual(['doubled', 'doubled']);
  });

  it('reports a deleted item still present, and an item nobody inserted', () => {
    const c = content();
    c.items.push({ id: 16, seq: 16 }, { id: 99, seq: 99 });
    expect(checkLedger(c, acked).map((p) => p.kind).sort()).toEqual(['unexpected', 'wrong']);
  });

  it('reports a transaction never written, and accepts an in-doubt one either way', () => {
    const c = content();
    expect(checkLedger(c, acked.filter((s) => s !== 48)).map((p) => p.kind)).toEqual(['unexpected']);
    expect(checkLedger(c, acked.filter((s) => s !== 48), [48])).toEqual([]);
    const without = content();
    without.ledger = without.ledger.filter((r) => r.seq !== 48);
    without.items.push({ id: 16, seq: 16 });
    expect(checkLedger(without, acked.filter((s) => s !== 48), [48])).toEqual([]);
  });

  it('reports a wrong balance with the right count of updates', () => {
    const c = content();
    c.accounts[0] = { id: 1, ops: 2, balance: 2 * accountDelta(17) };
    expect(checkLedger(c, acked).map((p) => p.kind)).toEqual(['wrong']);
  });
});
