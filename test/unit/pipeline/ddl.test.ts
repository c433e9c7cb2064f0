import { describe, expect, it } from 'vitest';
import { parseDdl } from '../../../node/pipeline/ddl.ts';
import { rewriteDdl, swappedIn, touchesReplicatedTables } from '../../../node/pipeline/ddl-tables.ts';
import type { TableMapping } from '../../../shared/model/table-mapping.ts';

const mapping: TableMapping = {
  mapTable: (schema, table) => (schema === 'shop' ? { target: { schema: 'copy', table: `${table}_c` }, columns: { identity: true, mapColumn: (c) => c }, rule: 0 } : undefined),
  coversSchema: (schema) => schema === 'shop',
  literalSourceSchemas: () => ['shop'],
};

describe('parseDdl', () => {
  it('finds the tables of the statements that change tables', () => {
    expect(parseDdl('ALTER TABLE orders ADD COLUMN x INT', 'shop').tables.map((t) => `${t.schema}.${t.table}`)).toEqual(['shop.orders']);
    expect(parseDdl('/* app */ CREATE TABLE IF NOT EXISTS `other`.`t 1` (id INT)', 'shop')).toMatchObject({ kind: 'create', tables: [{ schema: 'other', table: 't 1' }] });
    expect(parseDdl('DROP TABLE IF EXISTS a, shop.b', 'x').tables.map((t) => `${t.schema}.${t.table}`)).toEqual(['x.a', 'shop.b']);
    expect(parseDdl('RENAME TABLE a TO b, c TO d', 's').tables.map((t) => t.table)).toEqual(['a', 'b', 'c', 'd']);
    expect(parseDdl('truncate table t', 's')).toMatchObject({ kind: 'truncate', tables: [{ table: 't' }] });
    expect(parseDdl('CREATE UNIQUE INDEX ix ON t (a)', 's')).toMatchObject({ kind: 'index', tables: [{ table: 't' }] });
    expect(parseDdl("GRANT SELECT ON *.* TO 'u'@'%'", 's')).toEqual({ kind: 'no-table', tables: [] });
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
    expect(parseDdl('DROP /* x */ DATABASE /*!32312 IF EXISTS*/ `shop`', 'x')).toEqual({ kind: 'drop-schema', tables: [], schema: 'shop' });
  });
});

/** `kind schema.table ...` of a statement, read tables marked with `<`. */
const shape = (sql: string, schema = 'd'): string =>
  [parseDdl(sql, schema).kind, ...parseDdl(sql, schema).tables.map((t) => `${t.read ? '<' : ''}${t.schema}.${t.table}`)].join(' ');

describe('parseDdl: table DDL behind comments, versioned comments and odd spellings', () => {
  it.each([
    ['TRUNCATE /* nightly */ TABLE t', 'truncate d.t'],
    ['truncate/**/t', 'truncate d.t'],
    ['TRUNCATE -- x\nTABLE `s`.`t`', 'truncate s.t'],
    ['/* app: 1 */ TRUNCATE TABLE t # why\n', 'truncate d.t'],
    ['ALTER /* online */ TABLE t ADD INDEX i (a)', 'alter d.t'],
    ['ALTER /*!50001 IGNORE */ TABLE t ADD c INT', 'alter d.t'],
    ['ALTER /*!50001 TABLE t ADD c INT */', 'alter d.t'],
    ['/*!40000 ALTER TABLE `t` DISABLE KEYS */', 'alter d.t'],
    ['ALTER /*M!100100 ONLINE */ TABLE s . t ADD c INT', 'alter s.t'],
    ['alter online ignore table if exists t add c int', 'alter d.t'],
    ['alter /* gh-ost */ table `s`.`_t_gho` add column c int', 'alter s._t_gho'],
    ['CREATE /* x */ TABLE t (id INT)', 'create d.t'],
    ['create /* gh-ost */ table `s`.`_t_gho` like `s`.`t`', 'create s._t_gho <s.t'],
    ['CREATE OR REPLACE TABLE t (id INT)', 'create d.t'],
    ['CREATE TABLE t ( LIKE u )', 'create d.t <d.u'],
    ['CREATE TABLE `a``b` (id INT)', 'create d.a`b'],
    ['DROP /* x */ TABLE IF EXISTS a, `s`.b, c /* generated by server */', 'drop d.a s.b d.c'],
    ['DROP TABLES a, b WAIT 5', 'drop d.a d.b'],
    ['drop /* gh-ost */ table if exists `s`.`_t_del`', 'drop s._t_del'],
    ['RENAME /* x */ TABLE a TO b, s.c TO s.d', 'rename d.a d.b s.c s.d'],
    ['RENAME TABLE IF EXISTS a NOWAIT TO b', 'rename d.a d.b'],
    ['rename /* gh-ost */ table `s`.`t` to `s`.`_t_del`, `s`.`_t_gho` to `s`.`t`', 'rename s.t s._t_del s._t_gho s.t'],
    ['CREATE /* x */ UNIQUE INDEX i ON t (a)', 'index d.t'],
    ['CREATE OR REPLACE INDEX IF NOT EXISTS i USING BTREE ON s.t (a)', 'index s.t'],
    ['DROP INDEX `i` ON /* x */ t', 'index d.t'],
    ['ALTER TABLE a EXCHANGE PARTITION p WITH TABLE b', 'alter d.a d.b'],
    ['ALTER TABLE a CONVERT PARTITION p TO TABLE b', 'alter d.a d.b'],
    ['ALTER TABLE a CONVERT TABLE b TO PARTITION p VALUES LESS THAN (10)', 'alter d.a d.b'],
    ['SET STATEMENT max_statement_time=60 FOR ALTER TABLE t ADD c INT', 'alter d.t'],
  ])('%s', (sql, expected) => {
    expect(shape(sql)).toBe(expected);
  });

  it('finds names inside versioned comments at their place in the text, so apply can rename them', () => {
    const sql = '/*!40000 ALTER TABLE orders DISABLE KEYS */';
    expect(rewriteDdl(sql, parseDdl(sql, 'shop'), mapping)).toBe('/*!40000 ALTER TABLE `copy`.`orders_c` DISABLE KEYS */');
    const truncate = 'TRUNCATE /* nightly */ TABLE orders';
    expect(rewriteDdl(truncate, parseDdl(truncate, 'shop'), mapping)).toBe('TRUNCATE /* nightly */ TABLE `copy`.`orders_c`');
  });

  it('marks TEMPORARY tables, which never touch a replicated table', () => {
    expect(parseDdl('DROP /*!40005 TEMPORARY */ TABLE IF EXISTS orders', 'shop')).toMatchObject({ kind: 'drop', temporary: true });
    expect(touchesReplicatedTables(parseDdl('CREATE TEMPORARY TABLE orders (id INT)', 'shop'), mapping)).toBe(false);
    expect(touchesReplicatedTables(parseDdl('DROP TABLE orders', 'shop'), mapping)).toBe(true);
  });
});

describe('parseDdl: statements that are not table DDL', () => {
  it.each([
    "GRANT SELECT ON shop.* TO 'u'@'%'",
    "CREATE USER 'u'@'%' IDENTIFIED BY 'p'",
    "DROP USER IF EXISTS 'u'@'%'",
    "RENAME USER 'a'@'%' TO 'b'@'%'",
    "SET PASSWORD FOR 'u'@'%' = PASSWORD('x')",
    'CREATE DATABASE IF NOT EXISTS shop',
    'ALTER DATABASE shop CHARACTER SET utf8mb4',
    '/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */ /*!50001 VIEW `v` AS select 1 AS `a` */',
    'CREATE OR REPLACE DEFINER=CURRENT_USER() VIEW orders_v AS SELECT * FROM orders',
    'DROP VIEW IF EXISTS orders_v',
    "CREATE DEFINER=`root`@`localhost` TRIGGER trg BEFORE INSERT ON orders FOR EACH ROW SET NEW.a = 1",
    'DROP TRIGGER IF EXISTS shop.trg',
    'CREATE DEFINER=root@localhost PROCEDURE p() BEGIN DELETE FROM orders; END',
    'CREATE AGGREGATE FUNCTION f(x INT) RETURNS INT BEGIN RETURN 1; END',
    'DROP FUNCTION IF EXISTS f',
    'CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM orders',
    'ANALYZE TABLE orders',
    'OPTIMIZE /* x */ TABLE orders',
    'FLUSH PRIVILEGES',
  ])('%s', (sql) => {
    expect(parseDdl(sql, 'shop')).toMatchObject({ kind: 'no-table', tables: [] });
  });

  it('finds the tables a row change logged as a statement writes', () => {
    expect(shape('INSERT /* x */ INTO orders VALUES (1)')).toBe('dml d.orders');
    expect(shape('insert low_priority ignore s.orders (a) select * from other')).toBe('dml s.orders');
    expect(shape('REPLACE INTO `s`.`o` SET a = 1')).toBe('dml s.o');
    expect(shape('UPDATE /*!50001 LOW_PRIORITY */ orders SET a = 1 WHERE id = 2')).toBe('dml d.orders');
    expect(shape('UPDATE s.a JOIN b ON a.id = b.id SET a.v = b.v')).toBe('dml s.a d.b a.id b.id');
    expect(shape('DELETE FROM orders WHERE id = 1')).toBe('dml d.orders');
    expect(shape('DELETE QUICK FROM s.a, b USING s.a JOIN b JOIN c')).toBe('dml s.a d.b');
    expect(shape('DELETE a, b.* FROM a JOIN b JOIN c WHERE c.x = 1')).toBe('dml d.a d.b');
    expect(shape("LOAD DATA LOCAL INFILE '/tmp/x' REPLACE INTO TABLE s.t FIELDS TERMINATED BY ','")).toBe('dml s.t');
    // MariaDB empties MEMORY tables after a restart with a statement of its own.
    expect(shape('DELETE FROM `s`.`m` /* generated by server, implicitly emptying in-memory table */')).toBe('dml s.m');
  });

  it('keeps every name that could be a table of a statement it does not understand', () => {
    expect(parseDdl('REPAIR TABLE orders', 'shop')).toMatchObject({ kind: 'unknown', tables: [{ schema: 'shop', table: 'orders' }] });
    expect(parseDdl('CREATE SEQUENCE s.seq', 'shop')).toMatchObject({ kind: 'unknown', tables: [{ schema: 'shop', table: 'SEQUENCE' }, { schema: 's', table: 'seq' }] });
    expect(parseDdl('SELECT f()', 'shop').tables.map((t) => t.table)).toEqual(['f']);
    expect(parseDdl('WHATEVER "x"."y"', 'shop').tables.map((t) => `${t.schema}.${t.table}`)).toEqual(['x.y']);
    // A statement it cannot make sense of, though it starts like one it knows.
    expect(parseDdl('RENAME TABLE a', 'shop')).toMatchObject({ kind: 'unknown', tables: [{ table: 'a' }] });
    expect(parseDdl('ALTER TABLE', 'shop')).toMatchObject({ kind: 'unknown', tables: [] });
    expect(touchesReplicatedTables(parseDdl('REPAIR TABLE orders', 'shop'), mapping)).toBe(true);
    expect(touchesReplicatedTables(parseDdl('REPAIR TABLE other.orders', 'shop'), mapping)).toBe(false);
  });
});

describe('swappedIn: the cut-over of an online schema change', () => {
  /** Replicates shop.orders only: gh-ost's and pt-osc's shadow tables are not replicated. */
  const ordersOnly: TableMapping = {
    mapTable: (schema, table) => (schema === 'shop' && table === 'orders' ? { target: { schema: 'shop', table }, columns: { identity: true, mapColumn: (c) => c }, rule: 0 } : undefined),
    coversSchema: (schema) => schema === 'shop',
    literalSourceSchemas: () => ['shop'],
  };
  const swap = (sql: string, m: TableMapping = ordersOnly): string | undefined => {
    const found = swappedIn(parseDdl(sql, 'shop'), m);
    return found && `${found.from.schema}.${found.from.table} -> ${found.table.schema}.${found.table.table}`;
  };

  it('finds a table from outside the pipeline renamed onto a replicated name', () => {
    expect(swap('rename /* gh-ost */ table `shop`.`orders` to `shop`.`_orders_del`, `shop`.`_orders_gho` to `shop`.`orders`')).toBe('shop._orders_gho -> shop.orders');
    expect(swap('RENAME TABLE `shop`.`orders` TO `shop`.`_orders_old`, `shop`.`_orders_new` TO `shop`.`orders`')).toBe('shop._orders_new -> shop.orders');
    expect(swap('RENAME TABLE _x TO tmp, tmp TO orders')).toBe('shop._x -> shop.orders');
    expect(swap('ALTER TABLE _x RENAME TO orders')).toBe('shop._x -> shop.orders');
  });

  it('finds none when the incoming table is replicated too, or nothing lands on a replicated name', () => {
    expect(swap('RENAME TABLE orders TO _orders_del, _orders_gho TO orders', mapping)).toBeUndefined();
    expect(swap('RENAME TABLE orders TO tmp, tmp TO orders')).toBeUndefined();
    expect(swap('RENAME TABLE orders TO orders_old')).toBeUndefined();
    expect(swap('RENAME TABLE a TO b')).toBeUndefined();
    expect(swap('ALTER TABLE orders ADD c INT')).toBeUndefined();
  });
});
