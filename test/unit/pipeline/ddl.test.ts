import { describe, expect, it } from 'vitest';
import { parseDdl, rewriteDdl, touchesReplicatedTables } from '../../../node/pipeline/ddl.ts';
import type { TableMapping } from '../../../shared/model/table-mapping.ts';

const mapping: TableMapping = {
  mapTable: (schema, table) => (schema === 'shop' ? { target: { schema: 'copy', table: `${table}_c` }, columns: { identity: true, mapColumn: (c) => c }, rule: 0 } : undefined),
  coversSchema: (schema) => schema === 'shop',
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

  it('finds the new name of ALTER TABLE ... RENAME [TO|AS], not renamed columns, indexes or text', () => {
    const names = (sql: string): string[] => parseDdl(sql, 's').tables.map((t) => `${t.schema}.${t.table}`);
    expect(names('ALTER TABLE a RENAME TO b')).toEqual(['s.a', 's.b']);
    expect(names('ALTER TABLE a RENAME AS `x`.`b c`')).toEqual(['s.a', 'x.b c']);
    expect(names('alter table a rename to_b')).toEqual(['s.a', 's.to_b']);
    expect(names('ALTER TABLE a ADD COLUMN c INT, RENAME TO b, ALGORITHM=COPY')).toEqual(['s.a', 's.b']);
    expect(names('ALTER TABLE a RENAME COLUMN c TO d, RENAME INDEX i TO j, RENAME KEY k TO l')).toEqual(['s.a']);
    expect(names("ALTER TABLE a ADD COLUMN c INT COMMENT 'rename to x', ADD CONSTRAINT ck CHECK (c <> 1) /* rename to y */")).toEqual(['s.a']);
    expect(names("ALTER TABLE a MODIFY c ENUM('it''s', \"rename\", 'x\\' rename') -- rename z\n, RENAME b")).toEqual(['s.a', 's.b']);
  });

  it('finds the template of CREATE TABLE ... LIKE, as a table only read', () => {
    expect(parseDdl('CREATE TABLE t LIKE u', 's').tables).toMatchObject([{ schema: 's', table: 't' }, { schema: 's', table: 'u', read: true }]);
    expect(parseDdl('CREATE TABLE IF NOT EXISTS t (LIKE o.u)', 's').tables).toMatchObject([{ table: 't' }, { schema: 'o', table: 'u', read: true }]);
    expect(parseDdl('CREATE TABLE t (id INT, liked INT)', 's').tables).toHaveLength(1);
  });

  it('counts only the tables a statement changes as touched', () => {
    expect(touchesReplicatedTables(parseDdl('CREATE TABLE other.t LIKE shop.orders', 'x'), mapping)).toBe(false);
    expect(touchesReplicatedTables(parseDdl('CREATE TABLE shop.t LIKE other.u', 'x'), mapping)).toBe(true);
    expect(touchesReplicatedTables(parseDdl('ALTER TABLE other.t RENAME TO shop.orders', 'x'), mapping)).toBe(true);
    expect(touchesReplicatedTables(parseDdl('ALTER TABLE other.t RENAME COLUMN a TO b', 'shop'), mapping)).toBe(false);
  });

  it('rewrites every table name of ALTER TABLE ... RENAME TO and CREATE TABLE ... LIKE', () => {
    // The target session has no default database: an unqualified name there would fail.
    const rename = 'ALTER TABLE orders ADD COLUMN n INT, RENAME TO orders_old';
    expect(rewriteDdl(rename, parseDdl(rename, 'shop'), mapping)).toBe('ALTER TABLE `copy`.`orders_c` ADD COLUMN n INT, RENAME TO `copy`.`orders_old_c`');
    const like = 'CREATE TABLE orders_2 LIKE orders';
    expect(rewriteDdl(like, parseDdl(like, 'shop'), mapping)).toBe('CREATE TABLE `copy`.`orders_2_c` LIKE `copy`.`orders_c`');
  });
});

describe('parseDdl: DROP DATABASE', () => {
  it('names the schema', () => {
    expect(parseDdl('DROP DATABASE IF EXISTS `shop`', 'x')).toEqual({ kind: 'drop-schema', tables: [], schema: 'shop' });
    expect(parseDdl('drop schema shop', 'x')).toEqual({ kind: 'drop-schema', tables: [], schema: 'shop' });
  });
});
