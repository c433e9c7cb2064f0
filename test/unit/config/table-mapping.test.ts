import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../../shared/errors/index.ts';
import { checkTableRules, compileTableMapping, SYSTEM_SCHEMAS } from '../../../shared/model/table-mapping.ts';

describe('table mapping', () => {
  it('maps a literal table to itself and leaves unmatched tables out', () => {
    const mapping = compileTableMapping(['shop.orders']);
    expect(mapping.mapTable('shop', 'orders')?.target).toEqual({ schema: 'shop', table: 'orders' });
    expect(mapping.mapTable('shop', 'orders')?.columns.identity).toBe(true);
    expect(mapping.mapTable('shop', 'customers')).toBeUndefined();
    expect(mapping.mapTable('shop2', 'orders')).toBeUndefined();
    expect(mapping.mapTable('Shop', 'orders')).toBeUndefined();
    expect(mapping.mapTable('shop', 'Orders')).toBeUndefined();
  });

  it('matches * and ? patterns, case-sensitively, and escapes regex characters', () => {
    const mapping = compileTableMapping(['shop.order_*', 'shard_?.t', 'a$b.y']);
    expect(mapping.mapTable('shop', 'order_items')).toBeDefined();
    expect(mapping.mapTable('shop', 'order_')).toBeDefined();
    expect(mapping.mapTable('shop', 'orders')).toBeUndefined();
    expect(mapping.mapTable('shop', 'ORDER_items')).toBeUndefined();
    expect(mapping.mapTable('shard_1', 't')).toBeDefined();
    expect(mapping.mapTable('shard_12', 't')).toBeUndefined();
    expect(mapping.mapTable('shard_', 't')).toBeUndefined();
    expect(mapping.mapTable('a$b', 'y')).toBeDefined();
    expect(mapping.mapTable('aab', 'y')).toBeUndefined();
  });

  it('names the source schemas the binlog reader may limit itself to, only when no rule has a wildcard in its schema', () => {
    expect(compileTableMapping([{ source: 'shop.orders', target: 'archive.orders' }, 'shop.*', 'crm.customers']).literalSourceSchemas()).toEqual(['shop', 'crm']);
    expect(compileTableMapping(['shop.*', 'crm_*.customers']).literalSourceSchemas()).toBeUndefined();
    expect(compileTableMapping(['*.orders']).literalSourceSchemas()).toBeUndefined();
  });

  it('lets the first matching rule win', () => {
    const mapping = compileTableMapping([{ source: 'shop.orders', target: 'rep.orders_v2' }, { source: 'shop.*', target: 'copy.*' }]);
    expect(mapping.mapTable('shop', 'orders')).toMatchObject({ target: { schema: 'rep', table: 'orders_v2' }, rule: 0 });
    expect(mapping.mapTable('shop', 'items')).toMatchObject({ target: { schema: 'copy', table: 'items' }, rule: 1 });
  });

  it("renames the schema through a pattern target 'otherdb.*' and the table through '*.name'", () => {
    const mapping = compileTableMapping([{ source: 'shop.order_*', target: 'archive.*' }, { source: 'crm.people', target: '*.customers' }]);
    expect(mapping.mapTable('shop', 'order_items')?.target).toEqual({ schema: 'archive', table: 'order_items' });
    expect(mapping.mapTable('crm', 'people')?.target).toEqual({ schema: 'crm', table: 'customers' });
  });

  it('merges shards into one table when the source schema is a pattern and the table literal', () => {
    const mapping = compileTableMapping([{ source: 'shard_*.orders', target: 'all.orders' }]);
    expect(mapping.mapTable('shard_1', 'orders')?.target).toEqual({ schema: 'all', table: 'orders' });
    expect(mapping.mapTable('shard_2', 'orders')?.target).toEqual({ schema: 'all', table: 'orders' });
  });

  it('never replicates the system schemas, even when a pattern matches them', () => {
    const mapping = compileTableMapping(['*.*'], { systemSchema: 'ferry_sys' });
    for (const schema of [...SYSTEM_SCHEMAS, 'ferry_sys', 'MySQL', 'Information_Schema']) {
      expect(mapping.mapTable(schema, 'user'), schema).toBeUndefined();
    }
    expect(mapping.mapTable('_ferry', 'checkpoint')).toBeDefined();
    expect(compileTableMapping(['*.*']).mapTable('_ferry', 'checkpoint')).toBeUndefined();
    expect(mapping.mapTable('shop', 'orders')).toBeDefined();
  });

  it('includes, excludes and renames columns case-insensitively', () => {
    const mapping = compileTableMapping([
      { source: 'a.t', columns: { include: ['id', 'Amount'], rename: { amount: 'total' } } },
      { source: 'b.t', columns: { exclude: ['secret'], rename: { Created: 'created_at' } } },
    ]);
    const a = mapping.mapTable('a', 't')!.columns;
    expect(a.identity).toBe(false);
    expect(a.mapColumn('id')).toBe('id');
    expect(a.mapColumn('ID')).toBe('ID');
    expect(a.mapColumn('amount')).toBe('total');
    expect(a.mapColumn('AMOUNT')).toBe('total');
    expect(a.mapColumn('other')).toBeUndefined();
    const b = mapping.mapTable('b', 't')!.columns;
    expect(b.mapColumn('secret')).toBeUndefined();
    expect(b.mapColumn('SECRET')).toBeUndefined();
    expect(b.mapColumn('created')).toBe('created_at');
    expect(b.mapColumn('anything')).toBe('anything');
    // Answers are cached: asking again gives the same.
    expect(b.mapColumn('secret')).toBeUndefined();
    expect(b.mapColumn('created')).toBe('created_at');
  });

  it('answers from a per-table cache: the same object for the same table', () => {
    const mapping = compileTableMapping(['shop.*']);
    const first = mapping.mapTable('shop', 'orders');
    expect(mapping.mapTable('shop', 'orders')).toBe(first);
    expect(mapping.mapTable('shop', 'items')).not.toBe(first);
    expect(mapping.mapTable('nope', 'x')).toBeUndefined();
    expect(mapping.mapTable('nope', 'x')).toBeUndefined();
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.target)).toBe(true);
  });

  it('reports every bad rule at once, with its path', () => {
    const problems = checkTableRules([
      'shop',                                                     // 0: not schema.table
      'mysql.user',                                               // 1: system schema
      { source: 'shop.order_*', target: 'archive.orders' },       // 2: many tables into one
      { source: 'shop.x', target: 'arch_*.x' },                   // 3: pattern in target
      { source: 'shop.y', target: 'sys.y' },                      // 4: system schema as target
      { source: 'shop.z', columns: { include: ['a'], exclude: ['b'] } }, // 5: include and exclude
      { source: 'shop.w', columns: { exclude: ['a'], rename: { A: 'b' } } }, // 6: renames an excluded column
      { source: 'shop.v', columns: { rename: { a: 'x', b: 'X' } } }, // 7: two columns to one name
      { source: 'shop.u', columns: { include: ['a', 'b'], rename: { a: 'b' } } }, // 8: collides with included b
      { source: 'shop.*' },                                       // 9: fine
      'shop.orders',                                              // 10: shadowed by 9
      'shop.*',                                                   // 11: duplicate of 9
    ]);
    expect(problems.map((p) => p.path)).toEqual([
      '/tables/0', '/tables/1', '/tables/2/target', '/tables/3/target', '/tables/4/target',
      '/tables/5/columns', '/tables/6/columns/rename/A', '/tables/7/columns/rename/b', '/tables/8/columns/rename/a',
      '/tables/10', '/tables/11',
    ]);
    expect(problems[9]!.message).toMatch(/never used: tables\[9\] \('shop\.\*'\) already matches 'shop\.orders'; put the more specific rule first/);
    expect(problems[2]!.message).toMatch(/target table must be \*/);
  });

  it('refuses names outside the rule grammar (letters, digits, _ $ -, * and ?), each at its rule', () => {
    const problems = checkTableRules([
      'shop.t; DROP TABLE x', '`shop`.t', 'shop."t"', 'shop.t|u', 'shop.t[0-9]', 'shop.(a)', 'sh op.t', 'shop.t+',
      { source: 'shop.x', target: "copy.'x'" }, 'shop-eu.order_*', 'shard_?.t$1', 'café.straße',
    ]);
    expect(problems.map((p) => p.path)).toEqual([...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `/tables/${i}`), '/tables/8/target']);
    expect(problems[0]!.message).toBe(`'t; DROP TABLE x' holds ";"; a schema or table name in a rule holds only letters, digits, '_', '$', '-' and the wildcards * and ?`);
  });

  it('finds the first earlier pattern that shadows a table, whatever its prefix', () => {
    const problems = checkTableRules(['shop.order_*', 's*.cust?', 'x.a', 'shop.orders', 'shop.order_items', 'sales.custs', 'shop.cust1', '*.a', 'x.a']);
    expect(problems.map((p) => [p.path, p.message.match(/tables\[(\d+)\]/)?.[1]])).toEqual([['/tables/4', '0'], ['/tables/5', '1'], ['/tables/6', '1'], ['/tables/8', '2']]);
  });

  it('throws FERRY_ERR_CONFIG_INVALID from compile when a rule is bad', () => {
    expect(() => compileTableMapping(['a.b.c'])).toThrow(expect.objectContaining({ code: 'FERRY_ERR_CONFIG_INVALID' }));
    try {
      compileTableMapping(['x', 'y']);
      expect.unreachable();
    } catch (error) {
      expect(isFerryError(error) && (error.details.errors as unknown[]).length).toBe(2);
    }
  });
});
