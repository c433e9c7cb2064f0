import { describe, expect, it } from 'vitest';
import { checkBinlogRetention, parseMariaDbGtidPosition, purgedMariaDbDomains } from '../../../node/prechecks/binlog-retention.ts';
import { parseFlavorTraits } from '../../../node/prechecks/flavor-traits.ts';
import { fakeSql } from './fake-sql.ts';

describe('MariaDB GTID positions', () => {
  it('parse to the highest sequence per domain', () => {
    expect(parseMariaDbGtidPosition('1-1-42, 2-7-9,1-2-40')).toEqual(new Map([[1, 42n], [2, 9n]]));
    expect(parseMariaDbGtidPosition('')).toEqual(new Map());
    expect(parseMariaDbGtidPosition('0-1-18446744073709551615').get(0)).toBe(18446744073709551615n);
    expect(() => parseMariaDbGtidPosition('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10')).toThrow(/not a MariaDB GTID/);
  });

  it('find the domains whose needed transactions are older than the oldest binlog', () => {
    const oldestStart = parseMariaDbGtidPosition('1-1-100,2-2-5');
    expect(purgedMariaDbDomains(parseMariaDbGtidPosition('1-1-100,2-2-5'), oldestStart)).toEqual([]);
    expect(purgedMariaDbDomains(parseMariaDbGtidPosition('1-1-150,2-2-9,3-3-1'), oldestStart)).toEqual([]);
    expect(purgedMariaDbDomains(parseMariaDbGtidPosition('1-1-99,2-2-5'), oldestStart)).toEqual([{ domain: 1, needsAfter: 99n, purgedUpTo: 100n }]);
    expect(purgedMariaDbDomains(parseMariaDbGtidPosition('1-1-100'), oldestStart)).toEqual([{ domain: 2, needsAfter: undefined, purgedUpTo: 5n }]);
    expect(purgedMariaDbDomains(new Map(), new Map())).toEqual([]);
  });
});

describe('binlog_retention on a MariaDB source (fake server)', () => {
  const mariadb = parseFlavorTraits('10.11.19-MariaDB-log');
  const server = (start: string | null) => fakeSql([
    [/^SHOW BINARY LOGS/, [{ Log_name: 'mysql-bin.000007', File_size: 500 }, { Log_name: 'mysql-bin.000008', File_size: 300 }]],
    [/BINLOG_GTID_POS/, (values) => [{ pos: values?.[0] === 'mysql-bin.000007' ? start : null }]],
  ]);

  it('reads the Gtid_list of the oldest file and compares it per domain', async () => {
    expect(await checkBinlogRetention(server('1-1-50,2-2-9'), mariadb, { gtid: '1-1-50,2-2-12' })).toMatchObject({ ok: true });
    const gap = await checkBinlogRetention(server('1-1-50,2-2-9'), mariadb, { gtid: '1-1-50', file: 'mysql-bin.000008', pos: 4 });
    expect(gap).toMatchObject({ ok: false, error: { code: 'FERRY_ERR_BINLOG_PURGED', details: { position: '1-1-50' } } });
    expect(gap.detail).toContain('domain 2 is not in the position, but its transactions up to seq 9 are purged');
    expect(await checkBinlogRetention(server('1-1-50'), mariadb, { gtid: '' })).toMatchObject({ ok: false, error: { code: 'FERRY_ERR_BINLOG_PURGED' } });
    expect(await checkBinlogRetention(server(''), mariadb, { gtid: '' })).toMatchObject({ ok: true });
  });

  it('never passes when the oldest file cannot be read, nor on a malformed position', async () => {
    const racing = server(null);
    expect(await checkBinlogRetention(racing, mariadb, { gtid: '1-1-5' })).toMatchObject({ ok: false, detail: expect.stringContaining('BINLOG_GTID_POS returned NULL twice') as unknown });
    expect(racing.asked.filter((sql) => sql.startsWith('SHOW BINARY LOGS'))).toHaveLength(2);
    expect(await checkBinlogRetention(server('1-1-1'), mariadb, { gtid: 'uuid:1-5' })).toMatchObject({ ok: false, detail: expect.stringContaining('not a MariaDB GTID') as unknown });
  });
});

describe('binlog_retention on a MySQL source', () => {
  const mysql = parseFlavorTraits('8.0.36');

  it('fails with FERRY_ERR_BINLOG_PURGED naming the purged GTIDs the position lacks', async () => {
    const source = fakeSql([[/GTID_SUBTRACT/, (values) => [{ missing: values?.[0] === 'uuid:1-5' ? 'uuid:6-10' : '' }]]]);
    const outcome = await checkBinlogRetention(source, mysql, { gtid: 'gtid:uuid:1-5' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'FERRY_ERR_BINLOG_PURGED', details: { position: 'uuid:1-5' } } });
    expect(outcome.detail).toContain('uuid:6-10');
  });

  it('passes when every purged GTID is in the position', async () => {
    const source = fakeSql([[/GTID_SUBTRACT/, [{ missing: '' }]]]);
    expect((await checkBinlogRetention(source, mysql, { gtid: 'uuid:1-20', file: 'gone.000001' })).ok).toBe(true);
    expect(source.asked).toEqual(['SELECT GTID_SUBTRACT(@@GLOBAL.gtid_purged, ?)']);
  });

  it('treats an empty GTID set as a position from the beginning', async () => {
    const source = fakeSql([[/GTID_SUBTRACT/, [{ missing: 'uuid:1-4' }]]]);
    expect(await checkBinlogRetention(source, mysql, { gtid: '', file: 'mysql-bin.000001', pos: 4 })).toMatchObject({ ok: false, error: { code: 'FERRY_ERR_BINLOG_PURGED' } });
  });

  it('passes without a resume position, asking nothing', async () => {
    const source = fakeSql([]);
    expect(await checkBinlogRetention(source, mysql, undefined)).toMatchObject({ ok: true });
    expect(await checkBinlogRetention(source, mysql, {})).toMatchObject({ ok: true });
    expect(source.asked).toEqual([]);
  });
});
