import { describe, expect, it } from 'vitest';
import { assertPrechecksPassed, formatPrecheckReport, PRECHECK_IDS, runPrechecks, type PrecheckResult } from '../../../node/prechecks/index.ts';
import { isFerryError, type FerryError } from '../../../shared/errors/index.ts';
import { fakeSql, GOOD_VARIABLES, variableRows, type FakeAnswer } from './fake-sql.ts';

const MARIADB = '10.11.19-MariaDB-log';

/** A MariaDB source and target that pass every check, with statements overridable. */
function servers(overrides: { source?: Array<[RegExp, FakeAnswer]>; target?: Array<[RegExp, FakeAnswer]> } = {}) {
  const source = fakeSql([
    ...(overrides.source ?? []),
    [/^SELECT VERSION\(\)/, [{ v: MARIADB }]],
    [/^SHOW GLOBAL VARIABLES/, variableRows(GOOD_VARIABLES)],
    [/^SELECT CURRENT_USER\(\)/, [{ u: 'repl@%' }]],
    [/^SHOW GRANTS/, [{ g: 'GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`%`' }]],
    [/^SHOW INDEX/, [{ Key_name: 'PRIMARY', Non_unique: 0, Column_name: 'id', Null: '' }]],
    [/^SHOW BINARY LOGS/, [{ Log_name: 'mysql-bin.000003', File_size: 900 }]],
  ]);
  const target = fakeSql([
    ...(overrides.target ?? []),
    [/^SELECT VERSION\(\)/, [{ v: MARIADB }]],
    [/^SELECT CURRENT_USER\(\)/, [{ u: 'app@%' }]],
    [/^SHOW GRANTS/, [{ g: 'GRANT ALL PRIVILEGES ON *.* TO `app`@`%`' }]],
  ]);
  return { source, target, tables: [{ schema: 'shop', table: 'orders' }] };
}

const thrown = (fn: () => void): FerryError => {
  try {
    fn();
  } catch (error) {
    if (isFerryError(error)) return error;
    throw error;
  }
  throw new Error('expected a FerryError');
};

describe('runPrechecks', () => {
  it('runs every check in order, reading the variables and the version once', async () => {
    const ctx = servers();
    const results = await runPrechecks({ ...ctx, resumeFrom: { file: 'mysql-bin.000003', pos: 4 } });
    expect(results.map((r) => [r.id, r.ok])).toEqual(PRECHECK_IDS.map((id) => [id, true]));
    expect(ctx.source.asked.filter((sql) => sql.startsWith('SHOW GLOBAL VARIABLES'))).toHaveLength(1);
    expect(ctx.source.asked.filter((sql) => sql.startsWith('SELECT VERSION'))).toHaveLength(1);
    expect(() => assertPrechecksPassed(results)).not.toThrow();
  });

  it('skips checks by id without asking their questions, and refuses unknown ids', async () => {
    const ctx = servers();
    const results = await runPrechecks(ctx, { skip: ['primary_keys', 'privileges'] });
    expect(results.filter((r) => r.skipped).map((r) => r.id)).toEqual(['privileges', 'primary_keys']);
    expect(ctx.source.asked.some((sql) => sql.startsWith('SHOW INDEX') || sql.startsWith('SHOW GRANTS'))).toBe(false);
    await expect(runPrechecks(ctx, { skip: ['binlog_fromat'] })).rejects.toMatchObject({
      code: 'FERRY_ERR_CONFIG_INVALID',
      message: expect.stringContaining('unknown precheck id binlog_fromat') as unknown,
    });
  });

  it('turns an SQL error into a failed check and lets a connection error through', async () => {
    const denied = Object.assign(new Error('Access denied; you need (at least one of) the BINLOG MONITOR privilege(s)'), { errno: 1227 });
    const results = await runPrechecks({ ...servers({ source: [[/^SHOW BINARY LOGS/, denied]] }), resumeFrom: { file: 'mysql-bin.000003' } });
    const retention = results.find((r) => r.id === 'binlog_retention');
    expect(retention).toMatchObject({ ok: false, detail: expect.stringContaining('could not run: Access denied') as unknown });
    expect(retention?.instruction).toContain('binlog_retention');

    const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), { fatal: true, code: 'PROTOCOL_CONNECTION_LOST' });
    await expect(runPrechecks(servers({ source: [[/^SHOW GLOBAL VARIABLES/, lost]] }))).rejects.toBe(lost);
  });
});

describe('assertPrechecksPassed', () => {
  const pass = (id: PrecheckResult['id']): PrecheckResult => ({ id, ok: true, detail: 'fine' });
  const format: PrecheckResult = { id: 'binlog_format', ok: false, detail: 'binlog_format is MIXED', instruction: 'SET GLOBAL binlog_format = ROW' };
  const keys: PrecheckResult = {
    id: 'primary_keys', ok: false, detail: '2 of 2 tables have no key: `s`.`a`, `s`.`b`', instruction: 'Add a primary key',
    error: { code: 'FERRY_ERR_TABLE_NO_KEY', details: { table: '`s`.`a`, `s`.`b`' } },
  };
  const purged: PrecheckResult = {
    id: 'binlog_retention', ok: false, detail: 'mysql-bin.000001 was purged', instruction: 'Re-copy',
    error: { code: 'FERRY_ERR_BINLOG_PURGED', details: { position: 'mysql-bin.000001:4' } },
  };

  it('lists every failure with its id and instruction in one FERRY_ERR_PRECHECK_FAILED', () => {
    const error = thrown(() => assertPrechecksPassed([format, pass('server_id'), keys, purged]));
    expect(error.code).toBe('FERRY_ERR_PRECHECK_FAILED');
    expect(error.message).toBe(
      'prechecks failed: 3 of 4 checks failed: [binlog_format] binlog_format is MIXED. What to do: SET GLOBAL binlog_format = ROW'
      + ' | [primary_keys] 2 of 2 tables have no key: `s`.`a`, `s`.`b`. What to do: Add a primary key'
      + ' | [binlog_retention] mysql-bin.000001 was purged. What to do: Re-copy',
    );
    expect((error.details.failures as Array<{ id: string }>).map((f) => f.id)).toEqual(['binlog_format', 'primary_keys', 'binlog_retention']);
  });

  it('throws the specific code when it is the only failure', () => {
    const noKey = thrown(() => assertPrechecksPassed([pass('binlog_format'), keys]));
    expect(noKey.code).toBe('FERRY_ERR_TABLE_NO_KEY');
    expect(noKey.message).toBe('table `s`.`a`, `s`.`b` has no primary key and no unique key over NOT NULL columns');
    const gone = thrown(() => assertPrechecksPassed([purged]));
    expect(gone.code).toBe('FERRY_ERR_BINLOG_PURGED');
    expect(gone.message).toBe('the source no longer holds the binlog at mysql-bin.000001:4: mysql-bin.000001 was purged');
    expect(gone.details.failures).toEqual([{ id: 'binlog_retention', detail: 'mysql-bin.000001 was purged', instruction: 'Re-copy' }]);
    expect(thrown(() => assertPrechecksPassed([format])).code).toBe('FERRY_ERR_PRECHECK_FAILED');
  });
});

describe('formatPrecheckReport', () => {
  it('shows each check with its state, and what to do under each failure', () => {
    const report = formatPrecheckReport([
      { id: 'binlog_format', ok: true, detail: 'binlog_format is ROW' },
      { id: 'primary_keys', ok: false, detail: '`s`.`a` has no key', instruction: 'Add a primary key.' },
      { id: 'binlog_retention', ok: true, skipped: true, detail: 'skipped by request' },
    ]);
    expect(report).toBe([
      'prechecks: 1 passed, 1 failed, 1 skipped',
      'ok    binlog_format     binlog_format is ROW',
      'FAIL  primary_keys      `s`.`a` has no key',
      '                        what to do: Add a primary key.',
      'skip  binlog_retention  skipped by request',
    ].join('\n'));
  });
});
