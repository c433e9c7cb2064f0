import { ERROR_CODES } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';
import type { AutoIncrementSettings } from './auto-increment.ts';
import type { SourceKeyFacts } from './mapped-keys.ts';
import type { PrivilegeHalf } from './privileges.ts';
import type { IndexInfo } from './table-key.ts';
import { isPrecheckId, type PrecheckId, type PrecheckResult } from './types.ts';

/**
 * Checks the select side of a split pipeline answers alone, from the source: their results
 * cross the pipe as they are. binlog_retention here is the check at the request's startIfNew,
 * which the load side uses when the target has no checkpoint (a new pipeline starts there).
 */
export const SOURCE_CHECK_IDS = [
  'binlog_format',
  'binlog_row_image',
  'binlog_row_metadata',
  'binlog_row_value_options',
  'server_id',
  'primary_keys',
  'binlog_retention',
] as const satisfies readonly PrecheckId[];

/** A replicated source table and what the key comparison (checkMappedKeysWith) needs of it. */
export interface SourceTableReport extends TableRef {
  facts: SourceKeyFacts;
}

/**
 * What a split pipeline's select side sends in its resume request (runSourcePrechecks): the
 * results of the source's checks and what the load side needs to run the rest against the
 * target (tested_flavor, the target half of privileges, checkMappedKeys).
 */
export interface SourcePrecheckReport {
  /** The source's VERSION(): tested_flavor compares it with the target's. */
  version: string;
  /** The ids the select side's pipeline skips: the load side skips them too. */
  skip: PrecheckId[];
  /** One result per SOURCE_CHECK_IDS id, in that order (the select side's skips marked). */
  results: PrecheckResult[];
  /** The source user's half of privileges, or why it could not be read; absent only when skipped. */
  privileges?: PrivilegeHalf | { error: string };
  /** Every replicated source table, whatever was skipped: the key comparison cannot be. */
  tables: SourceTableReport[];
  /** The source's AUTO_INCREMENT settings, for auto_increment on the load side; absent when one-way or skipped. */
  autoIncrement?: AutoIncrementSettings;
}

/** A report that does not have the shape of a SourcePrecheckReport; the message says where. */
export class ReportShapeError extends Error {}

type Json = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new ReportShapeError(`${where} must be ${what}`);
}

function objectAt(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'an object');
  return value as Json;
}

function arrayAt(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) fail(where, 'a list');
  return value;
}

function stringAt(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(where, 'a string');
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : stringAt(value, where);
}

function booleanAt(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') fail(where, 'a boolean');
  return value;
}

function resultAt(value: unknown, id: PrecheckId, where: string): PrecheckResult {
  const body = objectAt(value, where);
  if (body.id !== id) fail(`${where}.id`, `'${id}' (the results come in SOURCE_CHECK_IDS order)`);
  const ok = booleanAt(body.ok, `${where}.ok`);
  if (body.skipped !== undefined && body.skipped !== true) fail(`${where}.skipped`, 'true when present');
  const instruction = optionalString(body.instruction, `${where}.instruction`);
  let error: PrecheckResult['error'];
  if (body.error !== undefined) {
    const raw = objectAt(body.error, `${where}.error`);
    const code = stringAt(raw.code, `${where}.error.code`);
    if (!Object.hasOwn(ERROR_CODES, code)) fail(`${where}.error.code`, 'a Ferry error code');
    error = { code: code as keyof typeof ERROR_CODES, details: { ...objectAt(raw.details, `${where}.error.details`) } };
  }
  return {
    id,
    ok,
    ...(body.skipped === true ? { skipped: true as const } : {}),
    detail: stringAt(body.detail, `${where}.detail`),
    ...(instruction === undefined ? {} : { instruction }),
    ...(error === undefined ? {} : { error }),
  };
}

function privilegesAt(value: unknown, where: string): SourcePrecheckReport['privileges'] {
  const body = objectAt(value, where);
  if (body.error !== undefined) return { error: stringAt(body.error, `${where}.error`) };
  const account = stringAt(body.account, `${where}.account`);
  if (body.missing === undefined) return { account };
  const missing = objectAt(body.missing, `${where}.missing`);
  return { account, missing: { problem: stringAt(missing.problem, `${where}.missing.problem`), fix: stringAt(missing.fix, `${where}.missing.fix`) } };
}

function indexAt(value: unknown, where: string): IndexInfo {
  const body = objectAt(value, where);
  const columns = arrayAt(body.columns, `${where}.columns`).map((raw, i) => {
    const column = objectAt(raw, `${where}.columns[${i}]`);
    const name = column.name === null ? null : stringAt(column.name, `${where}.columns[${i}].name`);
    const prefix = column.prefix;
    if (prefix !== undefined && (typeof prefix !== 'number' || !Number.isSafeInteger(prefix) || prefix < 1)) fail(`${where}.columns[${i}].prefix`, 'a whole number >= 1 when present');
    return { name, nullable: booleanAt(column.nullable, `${where}.columns[${i}].nullable`), ...(prefix === undefined ? {} : { prefix }) };
  });
  return { name: stringAt(body.name, `${where}.name`), unique: booleanAt(body.unique, `${where}.unique`), columns };
}

function tableAt(value: unknown, where: string): SourceTableReport {
  const body = objectAt(value, where);
  const facts = objectAt(body.facts, `${where}.facts`);
  return {
    schema: stringAt(body.schema, `${where}.schema`),
    table: stringAt(body.table, `${where}.table`),
    facts: {
      columns: arrayAt(facts.columns, `${where}.facts.columns`).map((c, i) => stringAt(c, `${where}.facts.columns[${i}]`)),
      uniqueIndexes: arrayAt(facts.uniqueIndexes, `${where}.facts.uniqueIndexes`).map((index, i) => indexAt(index, `${where}.facts.uniqueIndexes[${i}]`)),
      keyTypes: arrayAt(facts.keyTypes, `${where}.facts.keyTypes`).map((raw, i) => {
        const type = objectAt(raw, `${where}.facts.keyTypes[${i}]`);
        const collation = type.collation === null ? null : stringAt(type.collation, `${where}.facts.keyTypes[${i}].collation`);
        return { column: stringAt(type.column, `${where}.facts.keyTypes[${i}].column`), collation, type: stringAt(type.type, `${where}.facts.keyTypes[${i}].type`) };
      }),
    },
  };
}

/**
 * A SourcePrecheckReport from JSON that crossed the pipe, rebuilt field by field (nothing
 * unchecked is kept). Throws ReportShapeError naming the first field that is wrong.
 */
export function parseSourcePrecheckReport(value: unknown): SourcePrecheckReport {
  const body = objectAt(value, 'prechecks');
  const results = arrayAt(body.results, 'prechecks.results');
  if (results.length !== SOURCE_CHECK_IDS.length) fail('prechecks.results', `${SOURCE_CHECK_IDS.length} results, one per source check`);
  const skip = arrayAt(body.skip, 'prechecks.skip').map((id, i) => {
    if (typeof id !== 'string' || !isPrecheckId(id)) fail(`prechecks.skip[${i}]`, 'a precheck id');
    return id;
  });
  if (body.privileges === undefined && !skip.includes('privileges')) fail('prechecks.privileges', 'present unless privileges is skipped');
  return {
    version: stringAt(body.version, 'prechecks.version'),
    skip,
    results: SOURCE_CHECK_IDS.map((id, i) => resultAt(results[i], id, `prechecks.results[${i}]`)),
    ...(body.privileges === undefined ? {} : { privileges: privilegesAt(body.privileges, 'prechecks.privileges') }),
    tables: arrayAt(body.tables, 'prechecks.tables').map((table, i) => tableAt(table, `prechecks.tables[${i}]`)),
    ...(body.autoIncrement === undefined ? {} : { autoIncrement: autoIncrementAt(body.autoIncrement, 'prechecks.autoIncrement') }),
  };
}

function autoIncrementAt(value: unknown, where: string): AutoIncrementSettings {
  const body = objectAt(value, where);
  const whole = (raw: unknown, at: string) => {
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 1) fail(at, 'a whole number >= 1');
    return raw;
  };
  return { increment: whole(body.increment, `${where}.increment`), offset: whole(body.offset, `${where}.offset`) };
}
