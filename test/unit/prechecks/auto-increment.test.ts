import { describe, expect, it } from 'vitest';
import { checkAutoIncrement, progressionsMeet } from '../../../node/prechecks/auto-increment.ts';
import { runPrechecks, runSourcePrechecks, runTargetPrechecks } from '../../../node/prechecks/index.ts';
import { parseSourcePrecheckReport } from '../../../node/prechecks/index.ts';
import { fakeSql, GOOD_VARIABLES, variableRows } from './fake-sql.ts';

/** Whether the first ids offset + k*increment of the two servers share a value, by listing them. */
function meetByListing(a: { increment: number; offset: number }, b: { increment: number; offset: number }): boolean {
  const ids = (s: { increment: number; offset: number }) => new Set(Array.from({ length: 200 }, (_, k) => s.offset + k * s.increment));
  const left = ids(a);
  return [...ids(b)].some((id) => left.has(id));
}

describe('auto_increment precheck', () => {
  it('says two progressions meet exactly when gcd(increments) divides the offsets\' difference', () => {
    for (let i1 = 1; i1 <= 8; i1 += 1) for (let i2 = 1; i2 <= 8; i2 += 1) {
      for (let o1 = 1; o1 <= i1; o1 += 1) for (let o2 = 1; o2 <= i2; o2 += 1) {
        const a = { increment: i1, offset: o1 };
        const b = { increment: i2, offset: o2 };
        expect(progressionsMeet(a, b), JSON.stringify([a, b])).toBe(meetByListing(a, b));
      }
    }
  });

  it('passes different offsets under a common increment, refuses the default and says what to set', () => {
    expect(checkAutoIncrement({ increment: 2, offset: 1 }, { increment: 2, offset: 2 })).toMatchObject({ ok: true });
    expect(checkAutoIncrement({ increment: 10, offset: 3 }, { increment: 10, offset: 7 })).toMatchObject({ ok: true });
    const defaults = checkAutoIncrement({ increment: 1, offset: 1 }, { increment: 1, offset: 1 });
    expect(defaults).toMatchObject({ ok: false, detail: expect.stringContaining('both masters can generate the same AUTO_INCREMENT id') as string });
    expect(defaults.instruction).toMatch(/on the source run SET GLOBAL auto_increment_increment = 2, auto_increment_offset = 1; on the target SET GLOBAL auto_increment_increment = 2, auto_increment_offset = 2;/);
    expect(defaults.instruction).toContain('auto_increment');
    // 2 and 4 share 2: offsets 1 and 3 meet at 5.
    expect(checkAutoIncrement({ increment: 2, offset: 1 }, { increment: 4, offset: 3 })).toMatchObject({ ok: false });
    expect(checkAutoIncrement({ increment: 3, offset: 1 }, { increment: 3, offset: 1 }).instruction).toContain('auto_increment_increment = 3, auto_increment_offset = 2');
  });

  it('refuses an offset larger than the increment, whose first row MariaDB does not place by the offset', () => {
    const result = checkAutoIncrement({ increment: 3, offset: 5 }, { increment: 3, offset: 1 });
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('on the source the offset is larger than the increment') as string });
  });

  it('runs for a bidirectional pipeline only, whole and split alike', async () => {
    const variables = (increment: string, offset: string) => variableRows({ ...GOOD_VARIABLES, auto_increment_increment: increment, auto_increment_offset: offset });
    const servers = () => ({
      source: fakeSql([
        [/^SELECT VERSION\(\)/, [{ v: '10.11.19-MariaDB-log' }]],
        [/^SHOW GLOBAL VARIABLES/, variables('1', '1')],
        [/^SELECT CURRENT_USER\(\)/, [{ u: 'repl@%' }]],
        [/^SHOW GRANTS/, [{ g: 'GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`%`' }]],
        [/^SHOW INDEX/, [{ Key_name: 'PRIMARY', Non_unique: 0, Column_name: 'id', Null: '' }]],
        [/information_schema\.COLUMNS/, [{ name: 'id', collation: null, type: 'int(11)' }]],
        [/^SHOW BINARY LOGS/, [{ Log_name: 'mysql-bin.000003', File_size: 900 }]],
      ]),
      target: fakeSql([
        [/^SELECT VERSION\(\)/, [{ v: '10.11.19-MariaDB-log' }]],
        [/^SHOW GLOBAL VARIABLES/, variables('1', '1')],
        [/^SELECT CURRENT_USER\(\)/, [{ u: 'app@%' }]],
        [/^SHOW GRANTS/, [{ g: 'GRANT ALL PRIVILEGES ON *.* TO `app`@`%`' }]],
      ]),
      tables: [{ schema: 'shop', table: 'orders' }],
    });
    const autoIncrement = (results: { id: string; ok: boolean }[]) => results.find((r) => r.id === 'auto_increment');
    expect(autoIncrement(await runPrechecks(servers()))).toMatchObject({ ok: true, detail: expect.stringMatching(/^one-way pipeline/) as string });
    expect(autoIncrement(await runPrechecks({ ...servers(), bidirectional: true }))).toMatchObject({ ok: false });
    expect(autoIncrement(await runPrechecks({ ...servers(), bidirectional: true }, { skip: ['auto_increment'] }))).toMatchObject({ ok: true, skipped: true });

    const ctx = servers();
    const report = await runSourcePrechecks({ source: ctx.source, tables: ctx.tables, bidirectional: true });
    expect(report.autoIncrement).toEqual({ increment: 1, offset: 1 });
    // As the load side reads it, through the resume request's JSON.
    const split = await runTargetPrechecks(parseSourcePrecheckReport(JSON.parse(JSON.stringify(report))), { target: ctx.target, targetTables: ctx.tables, bidirectional: true });
    expect(autoIncrement(split)).toEqual(autoIncrement(await runPrechecks({ ...servers(), bidirectional: true })));
  });
});
