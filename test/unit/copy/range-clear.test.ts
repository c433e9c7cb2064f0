import { describe, expect, it } from 'vitest';
import { rangeExtrasSql } from '../../../node/load/range-clear.ts';

describe('the rows of a copied key range the copy did not write', () => {
  it('a one-column key: after, up to, not the rows written', () => {
    expect(rangeExtrasSql({ schema: 's', table: 't', key: ['id'], after: { id: 10 }, upTo: { id: 20 } }, [{ id: 11 }, { id: 15 }]))
      .toBe('SELECT `id` FROM `s`.`t` WHERE ((`id` > 10)) AND ((`id` <= 20)) AND (NOT `id` IN (11,15))');
  });

  it('a composite key compared column by column, open at both ends of the table', () => {
    expect(rangeExtrasSql({ schema: 's', table: 't', key: ['a', 'b'], after: { a: 1, b: 'x' } }, [{ a: 1, b: 'y' }]))
      .toBe("SELECT `a`, `b` FROM `s`.`t` WHERE ((`a` > 1) OR (`a` = 1 AND `b` > 'x')) AND (NOT (`a`,`b`) IN ((1,'y')))");
    expect(rangeExtrasSql({ schema: 's', table: 't', key: ['a', 'b'], upTo: { a: 2, b: 'z' } }, []))
      .toBe("SELECT `a`, `b` FROM `s`.`t` WHERE ((`a` < 2) OR (`a` = 2 AND `b` <= 'z'))");
    expect(rangeExtrasSql({ schema: 's', table: 't', key: ['id'] }, [])).toBe('SELECT `id` FROM `s`.`t` WHERE 1');
  });
});
