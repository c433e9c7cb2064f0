import { describe, expect, it } from 'vitest';
import { checkBinlogFormat, checkBinlogRowImage, checkBinlogRowMetadata, checkServerId } from '../../../node/prechecks/binlog-settings.ts';
import { parseFlavorTraits } from '../../../node/prechecks/flavor-traits.ts';
import { GOOD_VARIABLES } from './fake-sql.ts';

const variables = (overrides: Record<string, string | undefined> = {}): Map<string, string> => {
  const merged: Record<string, string | undefined> = { ...GOOD_VARIABLES, ...overrides };
  return new Map(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
};
const mariadb = parseFlavorTraits('10.11.19-MariaDB-log');

describe('binlog settings checks', () => {
  it('pass on ROW / FULL / FULL with a server id and the binlog on', () => {
    const good = variables();
    for (const outcome of [checkBinlogFormat(good), checkBinlogRowImage(good), checkBinlogRowMetadata(good, mariadb), checkServerId(good)]) {
      expect(outcome.ok, outcome.detail).toBe(true);
      expect(outcome.instruction).toBeUndefined();
    }
  });

  it('fail binlog_format MIXED with the SET GLOBAL and my.cnf fix, and the reconnect caveat', () => {
    const outcome = checkBinlogFormat(variables({ binlog_format: 'MIXED' }));
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe('binlog_format is MIXED; Ferry needs ROW (only row events carry the changed rows)');
    expect(outcome.instruction).toContain("SET GLOBAL binlog_format = 'ROW'");
    expect(outcome.instruction).toContain('binlog_format = ROW under [mysqld] in my.cnf');
    expect(outcome.instruction).toContain('reconnect');
  });

  it('accept the value in any case, and fail a variable the server does not report', () => {
    expect(checkBinlogRowImage(variables({ binlog_row_image: 'full' })).ok).toBe(true);
    const minimal = checkBinlogRowImage(variables({ binlog_row_image: 'MINIMAL' }));
    expect(minimal).toMatchObject({ ok: false, detail: expect.stringContaining('binlog_row_image is MINIMAL') as unknown });
    expect(checkBinlogFormat(variables({ binlog_format: undefined }))).toMatchObject({ ok: false, detail: 'the source does not report binlog_format' });
  });

  it('fail binlog_row_metadata MINIMAL, and an old server that has no such variable with an upgrade instruction', () => {
    expect(checkBinlogRowMetadata(variables({ binlog_row_metadata: 'MINIMAL' }), mariadb).instruction).toContain("SET GLOBAL binlog_row_metadata = 'FULL'");
    const old = checkBinlogRowMetadata(variables({ binlog_row_metadata: undefined }), parseFlavorTraits('10.4.32-MariaDB'));
    expect(old.ok).toBe(false);
    expect(old.detail).toBe('the source (MariaDB 10.4.32) has no binlog_row_metadata, so its binlog carries no column names');
    expect(old.instruction).toContain('Upgrade the source to MariaDB 10.5');
    expect(checkBinlogRowMetadata(variables({ binlog_row_metadata: undefined }), parseFlavorTraits('5.7.44-log')).instruction).toContain('MySQL 8.0.1');
  });

  it('fail server_id 0 and log_bin OFF together, with both fixes', () => {
    const outcome = checkServerId(variables({ server_id: '0', log_bin: 'OFF' }));
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe('server_id is 0; a binlog source needs a non-zero id; log_bin is OFF; the binary log is off');
    expect(outcome.instruction).toContain('SET GLOBAL server_id = N');
    expect(outcome.instruction).toContain('restart the source');
    expect(checkServerId(variables({ log_bin: 'OFF' })).instruction).not.toContain('server_id');
  });
});
