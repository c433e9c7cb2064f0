import { describe, expect, it } from 'vitest';
import { compareTables, readLedgerContent } from '../../../chaos/compare.ts';
import { accountDelta, checkLedger } from '../../../chaos/ledger-check.ts';
import { CHAOS_SEED_ROWS, CHAOS_TABLES } from '../../../chaos/load-schema.ts';
import { replicationPair } from '../../support/mariadb.ts';

/** The chaos suite's final check against real tables: equal sides pass, each kind of damage is named. */
describe('chaos final check', () => {
  it('finds equal tables equal, and a lost update, a lost delete and a changed value on the target', async () => {
    const pair = await replicationPair();
    await pair.onBoth([...CHAOS_TABLES, ...CHAOS_SEED_ROWS].join(';\n'));
    const transactions = [
      `INSERT INTO items VALUES (16, 16, 'a'); INSERT INTO ledger VALUES (16, 0, 'insert', 16, NOW(6))`,
      `INSERT INTO items VALUES (17, 17, 'b'); INSERT INTO ledger VALUES (17, 1, 'insert', 17, NOW(6))`,
      `UPDATE accounts SET ops = ops + 1, balance = balance + ${accountDelta(32)} WHERE id = 3; INSERT INTO ledger VALUES (32, 0, 'update', 3, '2026-12-07 00:00:00')`,
      `DELETE FROM items WHERE id = 17; INSERT INTO ledger VALUES (33, 1, 'delete', 17, '2026-12-07 00:00:00')`,
    ];
    // The same rows on both sides (the ledger's times fixed where they must match).
    await pair.source.connection.query(`USE \`${pair.schema}\`; ${transactions.join(';\n').replaceAll('NOW(6)', "'2026-12-07 00:00:01'")}`);
    await pair.target.connection.query(`USE \`${pair.schema}\`; ${transactions.join(';\n').replaceAll('NOW(6)', "'2026-12-07 00:00:01'")}`);
    const acked = [16, 17, 32, 33];

    const same = await compareTables(pair.source.connection, pair.target.connection, pair.schema);
    expect(same.map((t) => t.table)).toEqual(['accounts', 'items', 'ledger', 'probe']);
    expect(same.every((t) => t.same)).toBe(true);
    expect(checkLedger(await readLedgerContent(pair.target.connection, pair.schema), acked)).toEqual([]);

    // The target loses the update's effect (the ledger row stays), gets the deleted item back, and one payload changes.
    await pair.target.connection.query(`USE \`${pair.schema}\`; UPDATE accounts SET ops = 0, balance = 0 WHERE id = 3; INSERT INTO items VALUES (17, 17, 'b'); UPDATE items SET payload = 'A' WHERE id = 16`);
    const differ = await compareTables(pair.source.connection, pair.target.connection, pair.schema);
    expect(differ.filter((t) => !t.same).map((t) => t.table)).toEqual(['accounts', 'items']);
    expect(differ.find((t) => t.table === 'items')?.detail).toContain('rows 1 vs 2');
    expect(checkLedger(await readLedgerContent(pair.target.connection, pair.schema), acked).map((p) => p.kind).sort()).toEqual(['missing', 'wrong']);

    // Same count and same keys, one value changed: the checksum and the ordered digest see it.
    await pair.target.connection.query(`USE \`${pair.schema}\`; DELETE FROM items WHERE id = 17; UPDATE accounts SET ops = 1, balance = ${accountDelta(32)} WHERE id = 3`);
    const payloadOnly = await compareTables(pair.source.connection, pair.target.connection, pair.schema);
    expect(payloadOnly.filter((t) => !t.same).map((t) => [t.table, t.detail])).toEqual([['items', expect.stringContaining('ordered row digests differ')]]);
  });
});
