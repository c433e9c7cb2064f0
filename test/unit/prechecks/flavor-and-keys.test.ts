import { describe, expect, it } from 'vitest';
import { parseFlavorTraits } from '../../../node/prechecks/flavor-traits.ts';
import { chooseTableKey, type IndexInfo } from '../../../node/prechecks/table-key.ts';

describe('parseFlavorTraits', () => {
  it('tells MariaDB from MySQL and knows what each version has', () => {
    expect(parseFlavorTraits('10.11.19-MariaDB-0+deb12u1-log')).toMatchObject({ name: 'mariadb', label: 'MariaDB 10.11.19', hasRowMetadata: true });
    expect(parseFlavorTraits('10.11.19-MariaDB').binlogMonitorPrivilege.grant).toBe('BINLOG MONITOR');
    expect(parseFlavorTraits('10.4.32-MariaDB')).toMatchObject({ hasRowMetadata: false, binlogMonitorPrivilege: { grant: 'REPLICATION CLIENT' } });
    expect(parseFlavorTraits('8.0.36')).toMatchObject({ name: 'mysql', label: 'MySQL 8.0.36', hasRowMetadata: true, binlogMonitorPrivilege: { grant: 'REPLICATION CLIENT' } });
    expect(parseFlavorTraits('8.0.0-dmr-log').hasRowMetadata).toBe(false);
    expect(parseFlavorTraits('5.7.44-log').hasRowMetadata).toBe(false);
  });
});

const index = (name: string, unique: boolean, columns: Array<[string | null, boolean]>): IndexInfo =>
  ({ name, unique, columns: columns.map(([column, nullable]) => ({ name: column, nullable })) });

describe('chooseTableKey', () => {
  it('takes the primary key first', () => {
    expect(chooseTableKey([index('PRIMARY', true, [['a', false], ['b', false]]), index('uk', true, [['c', false]])]))
      .toEqual({ kind: 'primary', name: 'PRIMARY', columns: ['a', 'b'] });
  });

  it('else the first unique key whose columns are all NOT NULL', () => {
    expect(chooseTableKey([
      index('by_name', false, [['name', false]]),
      index('uk_email', true, [['email', true]]),
      index('uk_code', true, [['country', false], ['code', false]]),
      index('uk_later', true, [['other', false]]),
    ])).toEqual({ kind: 'unique', name: 'uk_code', columns: ['country', 'code'] });
  });

  it('rejects nullable unique keys, expression parts and plain indexes', () => {
    expect(chooseTableKey([index('uk', true, [['a', false], ['b', true]])])).toBeNull();
    expect(chooseTableKey([index('fx', true, [[null, false]])])).toBeNull();
    expect(chooseTableKey([index('ix', false, [['a', false]])])).toBeNull();
    expect(chooseTableKey([])).toBeNull();
  });
});
