import { describe, expect, it } from 'vitest';
import { chunkChecksumSql, keyText, rangeWhere, rowHashSql } from '../../../node/verify/row-sql.ts';

const side = { table: { schema: 'shop', table: 'order`s' }, key: ['a', 'b'], columns: ['a', 'b', 'v'] };

describe('verify SQL', () => {
  it('bounds a range by row constructors, each end optional', () => {
    expect(rangeWhere(side, {})).toEqual({ sql: '', values: [] });
    expect(rangeWhere(side, { after: [1, 'x'] })).toEqual({ sql: ' WHERE (`a`, `b`) > (?, ?)', values: [1, 'x'] });
    expect(rangeWhere(side, { after: [1, 'x'], upTo: [2, 'y'] })).toEqual({ sql: ' WHERE (`a`, `b`) > (?, ?) AND (`a`, `b`) <= (?, ?)', values: [1, 'x', 2, 'y'] });
  });

  it('hashes every column with a map of which are NULL with SHA1 (about twice as fast as MD5 in MariaDB), and quotes names', () => {
    expect(rowHashSql(['v', 'we`ird'])).toBe('LEFT(SHA1(CONCAT_WS(0x1f, `v`, `we``ird`, CONCAT(ISNULL(`v`), ISNULL(`we``ird`)))), 16)');
    expect(chunkChecksumSql(side, { upTo: [9, 'z'] }).sql).toMatch(/^SELECT COUNT\(\*\) AS n, COALESCE\(BIT_XOR\(CAST\(CONV\(.*, 16, 10\) AS UNSIGNED\)\), 0\) AS x FROM `shop`\.`order``s` WHERE \(`a`, `b`\) <= \(\?, \?\)$/);
  });

  it('gives equal keys the same text whatever the driver typed them as', () => {
    expect(keyText([5, 'a'])).toBe(keyText(['5', 'a']));
    expect(keyText([Buffer.from([1, 255])])).toBe('["0x01ff"]');
    expect(keyText([null])).not.toBe(keyText(['null']));
  });
});
