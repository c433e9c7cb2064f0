import { describe, expect, it } from 'vitest';
import { checkStatement, uniqueProbeStatement } from '../../../node/load/conflict-check.ts';
import type { TargetTable } from '../../../node/load/target-tables.ts';
import { SqlLiteral } from '../../../node/transform/values.ts';

const table: TargetTable = {
  schema: 's', table: 't', key: ['id'], uniqueKeys: [{ columns: ['id'] }, { columns: ['email'] }],
  writable: new Set(['id', 'email', 'f', 'amount', 'b']), columns: new Set(['id', 'email', 'f', 'amount', 'b', 'g']),
  types: new Map([['id', 'int'], ['email', 'varchar'], ['f', 'float'], ['amount', 'decimal'], ['b', 'blob'], ['g', 'int']]),
};

describe('the conflict check statement', () => {
  it('locks the keys and answers per row which entry it is, whether it is the expected and whether the final image', () => {
    const sql = checkStatement(table, ['id'], [
      { keyRow: { id: 1 }, expected: { id: 1, email: 'a ', f: 1.100000023841858, amount: new SqlLiteral('1.50'), b: Buffer.from([0, 255]), g: 3 }, final: null },
      { keyRow: { id: 2 }, expected: null, final: { id: 2, email: null } },
    ]);
    expect(sql).toBe(
      'SELECT 0, CASE WHEN `id` = 1 THEN 0 WHEN `id` = 2 THEN 1 END AS i'
      // Text as bytes, FLOAT as a FLOAT, DECIMAL exact, BLOB bytes, a generated column left out.
      + ", CASE WHEN `id` = 1 THEN (`id` <=> 1 AND BINARY CONVERT(`email` USING utf8mb4) <=> BINARY 'a ' AND `f` <=> CAST(1.100000023841858 AS FLOAT) AND `amount` <=> 1.50 AND `b` <=> X'00ff') WHEN `id` = 2 THEN 0 END AS e"
      + ', CASE WHEN `id` = 1 THEN 0 WHEN `id` = 2 THEN (`id` <=> 2 AND `email` IS NULL) END AS f'
      + ' FROM `s`.`t` WHERE `id` IN (1,2) FOR UPDATE',
    );
  });

  it('compares the timestamp column in SQL for newer-wins, NULL when the incoming image has none', () => {
    const sql = checkStatement({ ...table, types: new Map([['id', 'int'], ['ts', 'datetime']]), writable: new Set(['id', 'ts']) }, ['id'], [
      { keyRow: { id: 1 }, expected: { id: 1, ts: '2026-01-01 00:00:00' }, final: { id: 1, ts: '2026-01-02 00:00:00.5' } },
      { keyRow: { id: 2 }, expected: { id: 2, ts: '2026-01-01 00:00:00' }, final: null },
    ], 'ts');
    expect(sql).toContain(", CASE WHEN `id` = 1 THEN CASE WHEN `ts` < '2026-01-02 00:00:00.5' THEN 1 WHEN `ts` = '2026-01-02 00:00:00.5' THEN 0 WHEN `ts` > '2026-01-02 00:00:00.5' THEN -1 END WHEN `id` = 2 THEN NULL END AS n FROM");
  });

  it('matches a composite key as a tuple', () => {
    const sql = checkStatement(table, ['id', 'email'], [{ keyRow: { id: 1, email: 'x' }, expected: null, final: null }]);
    expect(sql).toBe("SELECT 0, CASE WHEN (`id`,`email`) = (1,'x') THEN 0 END AS i, CASE WHEN (`id`,`email`) = (1,'x') THEN 0 END AS e, CASE WHEN (`id`,`email`) = (1,'x') THEN 0 END AS f FROM `s`.`t` WHERE (`id`,`email`) IN ((1,'x')) FOR UPDATE");
  });

  it('probes a secondary unique key with the rows that hold all of it', () => {
    expect(uniqueProbeStatement(table, ['id'], ['email'], [{ id: 1, email: 'a@x' }, { id: 2, email: null }])).toBe("SELECT `id`,`email` FROM `s`.`t` WHERE `email` IN ('a@x') FOR UPDATE");
    expect(uniqueProbeStatement(table, ['id'], ['email'], [{ id: 2, email: null }])).toBeUndefined();
  });
});
