import { describe, expect, it } from 'vitest';
import {
  assertPrechecksPassed, PRECHECK_IDS, RETENTION_ON_SELECT_SIDE, runPrechecks, runRetentionPrecheck, runSourcePrechecks, runTargetPrechecks,
  type PrecheckResult, type ResumePosition, type SourcePrecheckReport,
} from '../../../node/prechecks/index.ts';
import { readResumeRequest, resumeRequestJson } from '../../../node/pipe/channel-payloads.ts';
import type { PipePosition } from '../../../node/pipe/control-messages.ts';
import { fakeSql, GOOD_VARIABLES, variableRows, type FakeAnswer } from './fake-sql.ts';

/**
 * A split pipeline's prechecks in two halves (select side, load side) joined by the resume
 * request's JSON must give the results runPrechecks gives with both sessions at hand, so that
 * a refusal is the same error with the same message.
 */

const MARIADB = '10.11.19-MariaDB-log';
const TABLES = [{ schema: 'shop', table: 'orders' }, { schema: 'shop', table: 'heap' }];

function servers(overrides: { source?: Array<[RegExp, FakeAnswer]>; target?: Array<[RegExp, FakeAnswer]> } = {}) {
  const source = fakeSql([
    ...(overrides.source ?? []),
    [/^SELECT VERSION\(\)/, [{ v: MARIADB }]],
    [/^SHOW GLOBAL VARIABLES/, variableRows(GOOD_VARIABLES)],
    [/^SELECT CURRENT_USER\(\)/, [{ u: 'repl@%' }]],
    [/^SHOW GRANTS/, [{ g: 'GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`%`' }]],
    [/^SHOW INDEX/, [{ Key_name: 'PRIMARY', Non_unique: 0, Column_name: 'id', Null: '' }]],
    [/information_schema\.COLUMNS/, [{ name: 'id', collation: null, type: 'int(11)' }, { name: 'note', collation: 'utf8mb4_general_ci', type: 'text' }]],
    [/^SHOW BINARY LOGS/, [{ Log_name: 'mysql-bin.000003', File_size: 900 }]],
  ]);
  const target = fakeSql([
    ...(overrides.target ?? []),
    [/^SELECT VERSION\(\)/, [{ v: MARIADB }]],
    [/^SELECT CURRENT_USER\(\)/, [{ u: 'app@%' }]],
    [/^SHOW GRANTS/, [{ g: 'GRANT ALL PRIVILEGES ON *.* TO `app`@`%`' }]],
  ]);
  return { source, target };
}

/** The report as the load side reads it: through the resume request's JSON. */
function acrossThePipe(report: SourcePrecheckReport): SourcePrecheckReport {
  const wire = JSON.parse(JSON.stringify(resumeRequestJson({ startIfNew: { file: 'mysql-bin.000003', pos: 4 }, prechecks: report }))) as PipePosition;
  return readResumeRequest(wire, 'peer').prechecks!;
}

async function split(ctx: ReturnType<typeof servers>, options: { selectSkip?: string[]; loadSkip?: string[]; startIfNew?: ResumePosition; checkpoint?: ResumePosition } = {}): Promise<PrecheckResult[]> {
  const report = await runSourcePrechecks({ source: ctx.source, tables: TABLES, ...(options.startIfNew ? { startIfNew: options.startIfNew } : {}) }, { skip: options.selectSkip ?? [] });
  return runTargetPrechecks(acrossThePipe(report), { target: ctx.target, targetTables: TABLES, systemSchema: '_ferry', ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}) }, { skip: options.loadSkip ?? [] });
}

function thrownBy(results: PrecheckResult[]): unknown {
  try {
    assertPrechecksPassed(results);
  } catch (error) {
    return error;
  }
  return undefined;
}

const setups: Array<{ name: string; source?: Array<[RegExp, FakeAnswer]>; target?: Array<[RegExp, FakeAnswer]> }> = [
  { name: 'a table without a key (FERRY_ERR_TABLE_NO_KEY)', source: [[/^SHOW INDEX FROM `shop`.`heap`/, []]] },
  { name: 'MIXED binlog and users lacking privileges on both sides', source: [[/^SHOW GLOBAL VARIABLES/, variableRows({ ...GOOD_VARIABLES, binlog_format: 'MIXED' })], [/^SHOW GRANTS/, [{ g: 'GRANT REPLICATION SLAVE ON *.* TO `repl`@`%`' }]]], target: [[/^SHOW GRANTS/, [{ g: 'GRANT SELECT ON `shop`.* TO `app`@`%`' }]]] },
  { name: 'a MySQL 8.0 source (untested flavor, other checks failing with it)', source: [[/^SELECT VERSION\(\)/, [{ v: '8.0.36' }]]] },
  { name: 'a source SHOW GRANTS denied (the check could not run)', source: [[/^SHOW GRANTS/, Object.assign(new Error('Access denied for SHOW GRANTS'), { errno: 1227 })]] },
];

describe('split prechecks', () => {
  it.each(setups)('give the results and the error of runPrechecks: $name', async ({ source, target }) => {
    const startIfNew = { file: 'mysql-bin.000003', pos: 4 };
    const whole = await runPrechecks({ ...servers({ ...(source ? { source } : {}), ...(target ? { target } : {}) }), tables: TABLES, systemSchema: '_ferry', resumeFrom: startIfNew });
    const halves = await split(servers({ ...(source ? { source } : {}), ...(target ? { target } : {}) }), { startIfNew });
    expect(halves).toEqual(whole);
    const error = thrownBy(whole);
    expect(error).toBeDefined();
    expect(thrownBy(halves)).toEqual(error);
    expect((thrownBy(halves) as Error).message).toBe((error as Error).message);
  });

  it('never asks the target on the select side, nor the source on the load side', async () => {
    const ctx = servers();
    const report = await runSourcePrechecks({ source: ctx.source, tables: TABLES });
    expect(ctx.target.asked).toEqual([]);
    const asked = ctx.source.asked.length;
    await runTargetPrechecks(acrossThePipe(report), { target: ctx.target, targetTables: TABLES });
    expect(ctx.source.asked).toHaveLength(asked);
  });

  it('skip a check that either side skips', async () => {
    const keys = (results: PrecheckResult[]) => results.find((r) => r.id === 'primary_keys');
    expect(keys(await split(servers(), { selectSkip: ['primary_keys'] }))).toEqual({ id: 'primary_keys', ok: true, skipped: true, detail: 'skipped by request' });
    expect(keys(await split(servers(), { loadSkip: ['primary_keys'] }))).toEqual({ id: 'primary_keys', ok: true, skipped: true, detail: 'skipped by request' });
    const privileges = (results: PrecheckResult[]) => results.find((r) => r.id === 'privileges');
    const denied = servers({ target: [[/^SHOW GRANTS/, [{ g: 'GRANT SELECT ON `shop`.* TO `app`@`%`' }]]] });
    expect(privileges(await split(denied, { selectSkip: ['privileges'] }))).toMatchObject({ ok: true, skipped: true });
    expect(denied.target.asked.some((sql) => sql.startsWith('SHOW GRANTS'))).toBe(false);
    expect(privileges(await split(servers(), { loadSkip: ['privileges'] }))).toMatchObject({ ok: true, skipped: true });
    // A check only the load side runs, skipped by the select side's pipeline.
    const mysql = servers({ source: [[/^SELECT VERSION\(\)/, [{ v: '8.0.36' }]]] });
    expect((await split(mysql, { selectSkip: ['tested_flavor'] })).find((r) => r.id === 'tested_flavor')).toEqual({ id: 'tested_flavor', ok: true, skipped: true, detail: 'skipped by request' });
  });

  it('leave binlog_retention to the select side when the target has a checkpoint, which then checks it there', async () => {
    const purged = servers({ source: [[/^SHOW BINARY LOGS/, [{ Log_name: 'mysql-bin.000007', File_size: 900 }]]] });
    const startIfNew = { file: 'mysql-bin.000007', pos: 4 };
    const checkpoint = { file: 'mysql-bin.000002', pos: 120 };
    const results = await split(purged, { startIfNew, checkpoint });
    expect(results.find((r) => r.id === 'binlog_retention')).toEqual({ id: 'binlog_retention', ok: true, detail: RETENTION_ON_SELECT_SIDE });
    expect(thrownBy(results)).toBeUndefined();

    const whole = await runPrechecks({ ...servers({ source: [[/^SHOW BINARY LOGS/, [{ Log_name: 'mysql-bin.000007', File_size: 900 }]]] }), tables: TABLES, resumeFrom: checkpoint });
    const after = await runRetentionPrecheck(purged.source, checkpoint);
    expect(after.map((r) => r.id)).toEqual([...PRECHECK_IDS]);
    expect(after.find((r) => r.id === 'binlog_retention')).toEqual(whole.find((r) => r.id === 'binlog_retention'));
    expect(thrownBy(after)).toMatchObject({ code: 'FERRY_ERR_BINLOG_PURGED', message: (thrownBy(whole) as Error).message });
    expect(await runRetentionPrecheck(purged.source, checkpoint, { skip: ['binlog_retention'] })).toContainEqual({ id: 'binlog_retention', ok: true, skipped: true, detail: 'skipped by request' });
  });
});
