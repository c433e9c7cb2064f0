import { describe, expect, it } from 'vitest';
import { checkBinlogRowValueOptions } from '../../../node/prechecks/binlog-settings.ts';
import { assertPrechecksPassed, runPrechecks } from '../../../node/prechecks/index.ts';
import { isFerryError } from '../../../shared/errors/index.ts';
import { fakeSql, GOOD_VARIABLES, variableRows } from './fake-sql.ts';

/** A source and a target of the given versions that pass every other check. */
function servers(sourceVersion: string, targetVersion: string, variables: Record<string, string> = GOOD_VARIABLES) {
  const source = fakeSql([
    [/^SELECT VERSION\(\)/, [{ v: sourceVersion }]],
    [/^SHOW GLOBAL VARIABLES/, variableRows(variables)],
    [/^SELECT CURRENT_ROLE\(\)/, [{ r: 'NONE' }]],
    [/^SELECT CURRENT_USER\(\)/, [{ u: 'repl@%' }]],
    [/^SHOW GRANTS/, [{ g: 'GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO `repl`@`%`' }]],
    [/^SHOW INDEX/, [{ Key_name: 'PRIMARY', Non_unique: 0, Column_name: 'id', Null: '' }]],
  ]);
  const target = fakeSql([
    [/^SELECT VERSION\(\)/, [{ v: targetVersion }]],
    [/^SELECT CURRENT_ROLE\(\)/, [{ r: 'NONE' }]],
    [/^SELECT CURRENT_USER\(\)/, [{ u: 'app@%' }]],
    [/^SHOW GRANTS/, [{ g: 'GRANT ALL PRIVILEGES ON *.* TO `app`@`%`' }]],
  ]);
  return { source, target, tables: [{ schema: 'shop', table: 'orders' }] };
}

const MARIADB = '10.11.19-MariaDB-0+deb12u1-log';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isFerryError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('tested_flavor precheck', () => {
  it('passes MariaDB 10.11 on both sides', async () => {
    const results = await runPrechecks(servers(MARIADB, '10.11.6-MariaDB'));
    expect(results.find((r) => r.id === 'tested_flavor')).toMatchObject({ ok: true });
    expect(codeOf(() => assertPrechecksPassed(results))).toBeUndefined();
  });

  it('refuses a MySQL 8 source or target with FERRY_ERR_FLAVOR_UNTESTED, naming each side', async () => {
    const results = await runPrechecks(servers('8.4.3', '8.0.36'));
    const flavor = results.find((r) => r.id === 'tested_flavor');
    expect(flavor).toMatchObject({ ok: false, detail: 'source is MySQL 8.4.3, target is MySQL 8.0.36; Ferry is tested against MariaDB 10.11 only' });
    expect(flavor?.instruction).toContain('tested_flavor');
    expect(results.filter((r) => !r.ok).map((r) => r.id)).toEqual(['tested_flavor']);
    expect(codeOf(() => assertPrechecksPassed(results))).toBe('FERRY_ERR_FLAVOR_UNTESTED');

    const mixed = await runPrechecks(servers(MARIADB, '11.4.2-MariaDB'));
    expect(mixed.find((r) => r.id === 'tested_flavor')?.detail).toBe('target is MariaDB 11.4.2; Ferry is tested against MariaDB 10.11 only');
  });

  it('lets the user opt in by skipping the check by id', async () => {
    const results = await runPrechecks(servers('8.0.36', '8.0.36'), { skip: ['tested_flavor'] });
    expect(results.find((r) => r.id === 'tested_flavor')).toMatchObject({ ok: true, skipped: true });
    expect(codeOf(() => assertPrechecksPassed(results))).toBeUndefined();
  });
});

describe('binlog_row_value_options precheck', () => {
  it('refuses PARTIAL_JSON, whose PARTIAL_UPDATE_ROWS events Ferry cannot read', async () => {
    const results = await runPrechecks(servers('8.0.36', '8.0.36', { ...GOOD_VARIABLES, binlog_row_value_options: 'PARTIAL_JSON' }), { skip: ['tested_flavor'] });
    const check = results.find((r) => r.id === 'binlog_row_value_options');
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('PARTIAL_UPDATE_ROWS') as unknown });
    expect(check?.instruction).toContain("SET GLOBAL binlog_row_value_options = ''");
    expect(codeOf(() => assertPrechecksPassed(results))).toBe('FERRY_ERR_PRECHECK_FAILED');
  });

  it('passes an empty value and a server without the variable (MariaDB)', () => {
    expect(checkBinlogRowValueOptions(new Map([['binlog_row_value_options', '']])).ok).toBe(true);
    expect(checkBinlogRowValueOptions(new Map()).ok).toBe(true);
    expect(checkBinlogRowValueOptions(new Map([['binlog_row_value_options', 'partial_json']])).ok).toBe(false);
  });
});
