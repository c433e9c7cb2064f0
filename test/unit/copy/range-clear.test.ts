import { describe, expect, it } from 'vitest';
import { rangeKeysSql } from '../../../node/load/range-clear.ts';

describe('the keys of a copied key range on the target', () => {
  it('a one-column key: after, up to', () => {
    expect(rangeKeysSql({ schema: 's', table: 't', key: ['id'], after: { id: 10 }, upTo: { id: 20 } })).toBe('SELECT `id` FROM `s`.`t` WHERE ((`id` > 10)) AND ((`id` <= 20))');
  });

  it('a composite key compared column by column, open at both ends of the table', () => {
    expect(rangeKeysSql({ schema: 's', table: 't', key: ['a', 'b'], after: { a: 1, b: 'x' } })).toBe("SELECT `a`, `b` FROM `s`.`t` WHERE ((`a` > 1) OR (`a` = 1 AND `b` > 'x'))");
    expect(rangeKeysSql({ schema: 's', table: 't', key: ['a', 'b'], upTo: { a: 2, b: 'z' } })).toBe("SELECT `a`, `b` FROM `s`.`t` WHERE ((`a` < 2) OR (`a` = 2 AND `b` <= 'z'))");
    expect(rangeKeysSql({ schema: 's', table: 't', key: ['id'] })).toBe('SELECT `id` FROM `s`.`t` WHERE 1');
  });
});
