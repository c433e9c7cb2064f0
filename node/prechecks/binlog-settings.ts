import type { FlavorTraits } from './flavor-traits.ts';
import { asText, queryRows, type SqlClient } from './sql.ts';
import type { CheckOutcome } from './types.ts';

/** Global server variables by lower-case name; a variable the server lacks is absent. */
export type ServerVariables = ReadonlyMap<string, string>;

/** What the binlog checks read, fetched in one statement. */
export const SOURCE_VARIABLES = ['binlog_format', 'binlog_row_image', 'binlog_row_metadata', 'server_id', 'log_bin', 'binlog_row_value_options'] as const;

export async function readServerVariables(client: SqlClient, names: readonly string[] = SOURCE_VARIABLES): Promise<ServerVariables> {
  const placeholders = names.map(() => '?').join(', ');
  const rows = await queryRows(client, `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${placeholders})`, [...names]);
  return new Map(rows.map((row) => [(asText(row.Variable_name) ?? '').toLowerCase(), asText(row.Value) ?? '']));
}

/** Instruction for a dynamic variable: set it now and keep it across restarts. */
function setGlobally(name: string, value: string, note = ''): string {
  return `On the source run SET GLOBAL ${name} = '${value}', and add ${name} = ${value} under [mysqld] in my.cnf so a restart keeps it${note}.`;
}

/** A variable that must hold one value. */
function expectValue(variables: ServerVariables, name: string, wanted: string, why: string, note = ''): CheckOutcome {
  const value = variables.get(name);
  if (value === undefined) {
    return { ok: false, detail: `the source does not report ${name}`, instruction: `Check that the source is MySQL 8 or MariaDB 10.5 or later; ${setGlobally(name, wanted, note)}` };
  }
  if (value.toUpperCase() === wanted) return { ok: true, detail: `${name} is ${wanted}` };
  return { ok: false, detail: `${name} is ${value}; Ferry needs ${wanted} (${why})`, instruction: setGlobally(name, wanted, note) };
}

export function checkBinlogFormat(variables: ServerVariables): CheckOutcome {
  return expectValue(variables, 'binlog_format', 'ROW', 'only row events carry the changed rows',
    '; connections opened before the change keep logging in the old format, so reconnect the applications (or restart the source) before starting the pipeline');
}

export function checkBinlogRowImage(variables: ServerVariables): CheckOutcome {
  return expectValue(variables, 'binlog_row_image', 'FULL', 'every column of the before and after row, so a change can be applied by key and checked',
    '; connections opened before the change keep the old value until they reconnect');
}

export function checkBinlogRowMetadata(variables: ServerVariables, flavor: FlavorTraits): CheckOutcome {
  if (!flavor.hasRowMetadata || !variables.has('binlog_row_metadata')) {
    return {
      ok: false,
      detail: `the source (${flavor.label}) has no binlog_row_metadata, so its binlog carries no column names`,
      instruction: `Upgrade the source to ${flavor.rowMetadataSince} or later and set binlog_row_metadata = FULL. Only if no replicated table is altered while Ferry runs, skip this check by id (binlog_row_metadata): without names Ferry maps columns by the current table definition.`,
    };
  }
  return expectValue(variables, 'binlog_row_metadata', 'FULL', 'column names in the binlog map rows written before an ALTER TABLE to the right columns');
}

/**
 * MySQL's binlog_row_value_options=PARTIAL_JSON logs JSON updates as PARTIAL_UPDATE_ROWS
 * events, which the binlog reader cannot decode: those updates would never reach the target.
 * MariaDB has no such variable (absent: fine).
 */
export function checkBinlogRowValueOptions(variables: ServerVariables): CheckOutcome {
  const value = variables.get('binlog_row_value_options') ?? '';
  if (!/PARTIAL_JSON/i.test(value)) return { ok: true, detail: value === '' ? 'binlog_row_value_options is empty (full JSON values)' : `binlog_row_value_options is ${value}` };
  return {
    ok: false,
    detail: `binlog_row_value_options is ${value}; Ferry cannot read the PARTIAL_UPDATE_ROWS events it writes, so JSON updates would be lost`,
    instruction: "On the source run SET GLOBAL binlog_row_value_options = '', and remove binlog_row_value_options from my.cnf (or set it empty) so a restart keeps it; connections opened before the change keep the old value until they reconnect.",
  };
}

/** server_id must be non-zero and the binary log on; both are needed to serve a binlog reader. */
export function checkServerId(variables: ServerVariables): CheckOutcome {
  const serverId = variables.get('server_id');
  const logBin = variables.get('log_bin');
  const problems: string[] = [];
  const fixes: string[] = [];
  if (serverId === undefined || serverId === '0') {
    problems.push(`server_id is ${serverId ?? 'not reported'}; a binlog source needs a non-zero id`);
    fixes.push('On the source run SET GLOBAL server_id = N with N a number no other server of the topology (and no Ferry pipeline serverId) uses, and add server_id = N under [mysqld] in my.cnf.');
  }
  if (logBin === undefined || !['ON', '1'].includes(logBin.toUpperCase())) {
    problems.push(`log_bin is ${logBin ?? 'not reported'}; the binary log is off`);
    fixes.push('Add log_bin = mysql-bin under [mysqld] in the source my.cnf and restart the source: the binary log cannot be switched on at runtime.');
  }
  if (problems.length === 0) return { ok: true, detail: `server_id is ${serverId}, log_bin is ON` };
  return { ok: false, detail: problems.join('; '), instruction: fixes.join(' ') };
}
