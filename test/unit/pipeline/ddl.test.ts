import { describe, expect, it } from 'vitest';
import { parseDdl, rewriteDdl } from '../../../node/pipeline/ddl.ts';
import type { TableMapping } from '../../../shared/model/table-mapping.ts';

const mapping: TableMapping = {
  mapTable: (schema, table) => (schema === 'shop' ? { target: { schema: 'copy', table: `${table}_c` }, columns: { identity: true, mapColumn: (c) => c }, rule: 0 } : undefined),
};

describe('parseDdl', () => {
  it('finds the tables of the statements that change tables', () => {
    expect(parseDdl('ALTER TABLE orders ADD COLUMN x INT', 'shop').tables.map((t) => `${t.schema}.${t.table}`)).toEqual(['shop.orders']);
    expect(parseDdl('/* app */ CREATE TABLE IF NOT EXISTS `other`.`t 1` (id INT)', 'shop')).toMatchObject({ kind: 'create', tables: [{ schema: 'other', table: 't 1' }] });
    expect(parseDdl('DROP TABLE IF EXISTS a, shop.b', 'x').tables.map((t) => `${t.schema}.${t.table}`)).toEqual(['x.a', 'shop.b']);
    expect(parseDdl('RENAME TABLE a TO b, c TO d', 's').tables.map((t) => t.table)).toEqual(['a', 'b', 'c', 'd']);
    expect(parseDdl('truncate table t', 's')).toMatchObject({ kind: 'truncate', tables: [{ table: 't' }] });
    expect(parseDdl('CREATE UNIQUE INDEX ix ON t (a)', 's')).toMatchObject({ kind: 'index', tables: [{ table: 't' }] });
    expect(parseDdl("GRANT SELECT ON *.* TO 'u'@'%'", 's')).toEqual({ kind: 'other', tables: [] });
  });

  it('rewrites replicated table names to their targets', () => {
    const sql = 'RENAME TABLE orders TO orders_old, `shop`.x TO elsewhere.y';
    expect(rewriteDdl(sql, parseDdl(sql, 'shop'), mapping)).toBe('RENAME TABLE `copy`.`orders_c` TO `copy`.`orders_old_c`, `copy`.`x_c` TO `elsewhere`.`y`');
  });
});
