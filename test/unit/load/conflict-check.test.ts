import { describe, expect, it } from 'vitest';
import { checkStatement, expectedCheckByJoin, uniqueProbeStatement } from '../../../node/load/conflict-check.ts';
import type { TargetTable } from '../../../node/load/target-tables.ts';
import { SqlLiteral } from '../../../node/transform/values.ts';

const table: TargetTable = {
  schema: 's', table: 't', key: ['id'], uniqueKeys: [{ columns: ['id'] }, { columns: ['email'] }],
  writable: new Set(['id', 'email', 'f', 'amount', 'b']), columns: new Set(['id', 'email', 'f', 'amount', 'b', 'g']),
  types: new Map([['id', 'int'], ['email', 'varchar'], ['f', 'float'], ['amount', 'decimal'], ['b', 'blob'], ['g', 'int']]),
};

describe('the conflict check statement', () => {
  const entries = [
    { keyRow: { id: 1 }, expected: { id: 1, email: 'a ', f: 1.100000023841858, amount: new SqlLiteral('1.50'), b: Buffer.from([0, 255]), g: 3 }, final: null },
    { keyRow: { id: 2 }, expected: null, final: { id: 2, email: null } },
  ];

  it('locks the keys and answers per row which entry it is and whether it is the expected image, comparing exactly', () => {
    expect(checkStatement(table, ['id'], entries, { expected: true, final: false })).toBe(
      'SELECT 0, FIELD(`id`,1,2) - 1 AS i'
      // Text as bytes, FLOAT as a FLOAT, DECIMAL exact, BLOB bytes, a generated column left out.
      + ", ELT(FIELD(`id`,1,2),(`id` <=> 1 AND BINARY CONVERT(`email` USING utf8mb4) <=> BINARY 'a ' AND `f` <=> CAST(1.100000023841858 AS FLOAT) AND `amount` <=> 1.50 AND `b` <=> X'00ff'),0) AS e"
      + ' FROM `s`.`t` WHERE `id` IN (1,2) FOR UPDATE',
    );
    // The same as a CASE, when FIELD and the key's IN disagreed.
    expect(checkStatement(table, ['id'], entries, { expected: false, final: true }, false)).toBe(
      'SELECT 0, CASE WHEN `id` = 1 THEN 0 WHEN `id` = 2 THEN 1 END AS i, CASE WHEN `id` = 1 THEN 0 WHEN `id` = 2 THEN (`id` <=> 2 AND `email` IS NULL) END AS f FROM `s`.`t` WHERE `id` IN (1,2) FOR UPDATE',
    );
  });

  it('checks integer keys by a join with a table value constructor: each comparison written once per column', () => {
    const rows = [
      { keyRow: { id: 1 }, expected: { id: 1, email: 'a ', f: 1.5 }, final: null },
      { keyRow: { id: 2 }, expected: null, final: { id: 2, email: 'b', f: null } },
      { keyRow: { id: 3 }, expected: { id: 3, email: null, f: null }, final: null },
    ];
    expect(expectedCheckByJoin(table, ['id'], rows)).toBe(
      "WITH v(i,x,k0,c0,c1,c2) AS (VALUES (0,1,1,1,'a ',1.5),(1,0,2,NULL,NULL,NULL),(2,1,3,3,NULL,NULL))"
      + ' SELECT v.i AS i, (v.x = 1 AND t.`id` <=> v.c0 AND BINARY CONVERT(t.`email` USING utf8mb4) <=> BINARY v.c1 AND t.`f` <=> CAST(v.c2 AS FLOAT)) AS e'
      + ' FROM v JOIN `s`.`t` AS t ON t.`id` = v.k0 FOR UPDATE',
    );
    // Not for a text key, nor for images of different columns in one chunk.
    expect(expectedCheckByJoin(table, ['email'], rows)).toBeUndefined();
    expect(expectedCheckByJoin(table, ['id'], [rows[0]!, { keyRow: { id: 4 }, expected: { id: 4 }, final: null }])).toBeUndefined();
  });

  it('matches a composite key as a tuple', () => {
    const sql = checkStatement(table, ['id', 'email'], [{ keyRow: { id: 1, email: 'x' }, expected: null, final: null }], { expected: true, final: true });
    expect(sql).toBe("SELECT 0, CASE WHEN (`id`,`email`) = (1,'x') THEN 0 END AS i, CASE WHEN (`id`,`email`) = (1,'x') THEN 0 END AS e, CASE WHEN (`id`,`email`) = (1,'x') THEN 0 END AS f FROM `s`.`t` WHERE (`id`,`email`) IN ((1,'x')) FOR UPDATE");
  });

  it('probes a secondary unique key with the rows that hold all of it', () => {
    expect(uniqueProbeStatement(table, ['id'], ['email'], [{ id: 1, email: 'a@x' }, { id: 2, email: null }])).toBe("SELECT `id`,`email` FROM `s`.`t` WHERE `email` IN ('a@x') FOR UPDATE");
    expect(uniqueProbeStatement(table, ['id'], ['email'], [{ id: 2, email: null }])).toBeUndefined();
  });
});
