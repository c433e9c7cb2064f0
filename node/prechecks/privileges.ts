import type { TableRef } from '../../shared/model/change.ts';
import { sessionAccount, sessionGrants, type FlavorTraits } from './flavor-traits.ts';
import { holdsPrivilege, parseGrants, type GrantEntry } from './grants.ts';
import { quoteIdentifier } from '../../shared/mysql/flavor.ts';
import { tableName, type SqlClient } from './sql.ts';
import type { CheckOutcome } from './types.ts';

/** Privileges the loader needs on every target table. */
export const TARGET_TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
/** Privileges the loader needs on the system schema (it creates the checkpoint table there). */
export const SYSTEM_SCHEMA_PRIVILEGES = ['CREATE', 'SELECT', 'INSERT', 'UPDATE'] as const;

/** What one user lacks: global privileges, and per schema the privileges and the tables that lack them. */
export interface MissingPrivileges {
  global: string[];
  bySchema: Map<string, { privileges: Set<string>; tables: Set<string> }>;
}

function addMissing(missing: MissingPrivileges, schema: string, privilege: string, what: string): void {
  let entry = missing.bySchema.get(schema);
  if (!entry) {
    entry = { privileges: new Set(), tables: new Set() };
    missing.bySchema.set(schema, entry);
  }
  entry.privileges.add(privilege);
  entry.tables.add(what);
}

/** What the source replication user lacks, from its grants (pure: unit-tested). */
export function missingOnSource(grants: readonly GrantEntry[], flavor: FlavorTraits, tables: readonly TableRef[]): MissingPrivileges {
  const missing: MissingPrivileges = { global: [], bySchema: new Map() };
  for (const privilege of [flavor.replicationPrivilege, flavor.binlogMonitorPrivilege]) {
    if (!holdsPrivilege(grants, privilege.names)) missing.global.push(privilege.grant);
  }
  for (const ref of tables) {
    if (!holdsPrivilege(grants, ['SELECT'], ref)) addMissing(missing, ref.schema, 'SELECT', tableName(ref));
  }
  return missing;
}

/** What the target application user lacks, from its grants (pure: unit-tested). */
export function missingOnTarget(grants: readonly GrantEntry[], tables: readonly TableRef[], systemSchema?: string): MissingPrivileges {
  const missing: MissingPrivileges = { global: [], bySchema: new Map() };
  for (const ref of tables) {
    for (const privilege of TARGET_TABLE_PRIVILEGES) {
      if (!holdsPrivilege(grants, [privilege], ref)) addMissing(missing, ref.schema, privilege, tableName(ref));
    }
  }
  if (systemSchema !== undefined) {
    for (const privilege of SYSTEM_SCHEMA_PRIVILEGES) {
      if (!holdsPrivilege(grants, [privilege], { schema: systemSchema })) addMissing(missing, systemSchema, privilege, `${quoteIdentifier(systemSchema)}.*`);
    }
  }
  return missing;
}

const isEmpty = (missing: MissingPrivileges): boolean => missing.global.length === 0 && missing.bySchema.size === 0;

/** "lacks BINLOG MONITOR; lacks SELECT on `s`.`a`, `s`.`b`" */
export function describeMissing(missing: MissingPrivileges): string {
  const parts: string[] = [];
  if (missing.global.length > 0) parts.push(`lacks ${missing.global.join(', ')} (global)`);
  for (const { privileges, tables } of missing.bySchema.values()) {
    parts.push(`lacks ${[...privileges].join(', ')} on ${[...tables].join(', ')}`);
  }
  return parts.join('; ');
}

/**
 * GRANT statements that give what is missing. Table privileges are granted per schema
 * (`db`.*): shorter to run, and tables created later are covered; a DBA who wants them per
 * table can read the tables from the detail.
 */
export function grantStatements(missing: MissingPrivileges, account: string): string[] {
  const statements: string[] = [];
  if (missing.global.length > 0) statements.push(`GRANT ${missing.global.join(', ')} ON *.* TO ${account};`);
  for (const [schema, { privileges }] of missing.bySchema) {
    statements.push(`GRANT ${[...privileges].join(', ')} ON ${quoteIdentifier(schema)}.* TO ${account};`);
  }
  return statements;
}

export interface PrivilegeSide {
  client: SqlClient;
  flavor: FlavorTraits;
}

/**
 * Reads both sessions' grants and reports every missing privilege of both users at once.
 * Source: the binlog stream and binlog listing privileges, SELECT on each replicated table.
 * Target: SELECT, INSERT, UPDATE, DELETE on each target table; CREATE, SELECT, INSERT,
 * UPDATE on the system schema when given.
 */
export async function checkPrivileges(
  source: PrivilegeSide,
  target: PrivilegeSide,
  tables: readonly TableRef[],
  targetTables: readonly TableRef[],
  systemSchema?: string,
): Promise<CheckOutcome> {
  const sourceAccount = await sessionAccount(source.client);
  const targetAccount = await sessionAccount(target.client);
  const sourceMissing = missingOnSource(parseGrants(await sessionGrants(source.client, source.flavor)), source.flavor, tables);
  const targetMissing = missingOnTarget(parseGrants(await sessionGrants(target.client, target.flavor)), targetTables, systemSchema);
  if (isEmpty(sourceMissing) && isEmpty(targetMissing)) {
    return { ok: true, detail: `source user ${sourceAccount} can read the binlog and ${tables.length} tables; target user ${targetAccount} can write ${targetTables.length} tables` };
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  if (!isEmpty(sourceMissing)) {
    problems.push(`source user ${sourceAccount} ${describeMissing(sourceMissing)}`);
    fixes.push(`On the source run: ${grantStatements(sourceMissing, sourceAccount).join(' ')}`);
  }
  if (!isEmpty(targetMissing)) {
    problems.push(`target user ${targetAccount} ${describeMissing(targetMissing)}`);
    fixes.push(`On the target run: ${grantStatements(targetMissing, targetAccount).join(' ')}`);
  }
  fixes.push('Privileges of roles count only when the role is active at login (a default role); column-level grants do not count.');
  return { ok: false, detail: problems.join('; '), instruction: fixes.join(' ') };
}
