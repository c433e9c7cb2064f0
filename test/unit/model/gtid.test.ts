import { describe, expect, it } from 'vitest';
import { gtidFlavorOf, parseGtidSet } from '../../../shared/model/gtid.ts';

describe('GTID sets', () => {
  it('keeps the last GTID per MariaDB domain', () => {
    const position = parseGtidSet('mariadb', '1-1-10,0-5-3');
    position.add('1-1-11');
    position.add('2-7-1');
    expect(position.toString()).toBe('0-5-3,1-1-11,2-7-1');
  });

  it('extends and merges MySQL intervals', () => {
    const set = parseGtidSet('mysql', '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:8');
    set.add('3e11fa47-71ca-11e1-9e33-c80aa9429562:6');
    expect(set.toString()).toBe('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6:8');
    set.add('3e11fa47-71ca-11e1-9e33-c80aa9429562:7');
    expect(set.toString()).toBe('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-8');
    set.add('aaaaaaaa-71ca-11e1-9e33-c80aa9429562:18446744073709551615');
    expect(set.toString()).toContain('aaaaaaaa-71ca-11e1-9e33-c80aa9429562:18446744073709551615');
  });

  it('clones independently', () => {
    const a = parseGtidSet('mariadb', '0-1-1');
    const b = a.clone();
    b.add('0-1-2');
    expect(a.toString()).toBe('0-1-1');
    expect(b.toString()).toBe('0-1-2');
  });

  it('tells the flavor from the text and refuses garbage', () => {
    expect(gtidFlavorOf('0-1-5')).toBe('mariadb');
    expect(gtidFlavorOf('uuid:1-3')).toBe('mysql');
    expect(() => parseGtidSet('mariadb', '0-1')).toThrow(/not a MariaDB GTID/);
    expect(() => parseGtidSet('mysql', 'abc:x')).toThrow(/bad interval/);
  });
});
