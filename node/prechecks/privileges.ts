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
 * What one user lacks, as the check reports it: a split pipeline's select side reads the
 * source's half and sends it across the pipe; the load side reads the target's and joins both.
 */
export interface PrivilegeHalf {
  /** The session's account, quoted for a GRANT statement. */
  account: string;
  /** Undefined when the user holds everything. */
  missing?: {
    /** "source user 'u'@'%' lacks ..." */
    problem: string;
    /** "On the source run: GRANT ...;" */
    fix: string;
  };
}

function halfOf(side: 'source' | 'target', account: string, missing: MissingPrivileges): PrivilegeHalf {
  if (isEmpty(missing)) return { account };
  return { account, missing: { problem: `${side} user ${account} ${describeMissing(missing)}`, fix: `On the ${side} run: ${grantStatements(missing, account).join(' ')}` } };
}

/** The source user's half: the binlog stream and binlog listing privileges, SELECT on each replicated table. */
export async function sourcePrivileges(source: PrivilegeSide, tables: readonly TableRef[]): Promise<PrivilegeHalf> {
  const account = await sessionAccount(source.client);
  return halfOf('source', account, missingOnSource(parseGrants(await sessionGrants(source.client, source.flavor)), source.flavor, tables));
}

/** The target user's half: SELECT, INSERT, UPDATE, DELETE on each target table; CREATE, SELECT, INSERT, UPDATE on the system schema when given. */
export async function targetPrivileges(target: PrivilegeSide, targetTables: readonly TableRef[], systemSchema?: string): Promise<PrivilegeHalf> {
  const account = await sessionAccount(target.client);
  return halfOf('target', account, missingOnTarget(parseGrants(await sessionGrants(target.client, target.flavor)), targetTables, systemSchema));
}

/** Both halves as one outcome: every missing privilege of both users at once. */
export function privilegesOutcome(source: PrivilegeHalf, target: PrivilegeHalf, tables: number, targetTables: number): CheckOutcome {
  if (source.missing === undefined && target.missing === undefined) {
    return { ok: true, detail: `source user ${source.account} can read the binlog and ${tables} tables; target user ${target.account} can write ${targetTables} tables` };
  }
  const halves = [source.missing, target.missing].filter((half) => half !== undefined);
  const fixes = [...halves.map((half) => half.fix), 'Privileges of roles count only when the role is active at login (a default role); column-level grants do not count.'];
  return { ok: false, detail: halves.map((half) => half.problem).join('; '), instruction: fixes.join(' ') };
}

/**
 * Reads both sessions' grants and reports every missing privilege of both users at once
 * (sourcePrivileges, targetPrivileges, privilegesOutcome).
 */
export async function checkPrivileges(
  source: PrivilegeSide,
  target: PrivilegeSide,
  tables: readonly TableRef[],
  targetTables: readonly TableRef[],
  systemSchema?: string,
): Promise<CheckOutcome> {
  const sourceHalf = await sourcePrivileges(source, tables);
  const targetHalf = await targetPrivileges(target, targetTables, systemSchema);
  return privilegesOutcome(sourceHalf, targetHalf, tables.length, targetTables.length);
}
