import { queryFirstColumn, type SqlClient } from './sql.ts';

/**
 * MySQL 8 and MariaDB differences the prechecks meet, in one place: version features,
 * privilege names and how to list the session's grants. Detected from `SELECT VERSION()`.
 */
export interface FlavorTraits {
  name: 'mariadb' | 'mysql';
  /** As VERSION() said it, e.g. '10.11.19-MariaDB-0+deb12u1-log'. */
  version: string;
  /** e.g. 'MariaDB 10.11.19'. */
  label: string;
  /** binlog_row_metadata exists: MariaDB 10.5+, MySQL 8.0.1+. */
  hasRowMetadata: boolean;
  /** The first release with binlog_row_metadata, for the upgrade instruction. */
  rowMetadataSince: string;
  /** Privilege to stream the binlog; `names` are every spelling SHOW GRANTS may print for it. */
  replicationPrivilege: PrivilegeNames;
  /** Privilege for SHOW BINARY LOGS / SHOW MASTER STATUS. */
  binlogMonitorPrivilege: PrivilegeNames;
}

export interface PrivilegeNames {
  /** The name to GRANT. */
  grant: string;
  /** Every name that means it (upper case). */
  names: readonly string[];
}

const REPLICATION_SLAVE: PrivilegeNames = { grant: 'REPLICATION SLAVE', names: ['REPLICATION SLAVE', 'REPLICATION REPLICA'] };

export function parseFlavorTraits(version: string): FlavorTraits {
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  const atLeast = (a: number, b: number, c: number): boolean => major !== a ? major > a : minor !== b ? minor > b : patch >= c;
  if (/mariadb/i.test(version)) {
    // 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR (the old name stays an alias).
    const modern = atLeast(10, 5, 0);
    return {
      name: 'mariadb',
      version,
      label: `MariaDB ${major}.${minor}.${patch}`,
      hasRowMetadata: modern,
      rowMetadataSince: 'MariaDB 10.5',
      replicationPrivilege: REPLICATION_SLAVE,
      binlogMonitorPrivilege: modern
        ? { grant: 'BINLOG MONITOR', names: ['BINLOG MONITOR', 'REPLICATION CLIENT'] }
        : { grant: 'REPLICATION CLIENT', names: ['REPLICATION CLIENT'] },
    };
  }
  return {
    name: 'mysql',
    version,
    label: `MySQL ${major}.${minor}.${patch}`,
    hasRowMetadata: atLeast(8, 0, 1),
    rowMetadataSince: 'MySQL 8.0.1',
    replicationPrivilege: REPLICATION_SLAVE,
    binlogMonitorPrivilege: { grant: 'REPLICATION CLIENT', names: ['REPLICATION CLIENT'] },
  };
}

export async function detectFlavorTraits(client: SqlClient): Promise<FlavorTraits> {
  const [version] = await queryFirstColumn(client, 'SELECT VERSION()');
  return parseFlavorTraits(version ?? '');
}

/**
 * The GRANT lines in force for this session. MariaDB's SHOW GRANTS already includes the
 * active (default) role's grants; MySQL's lists role grants only as `GRANT role TO user`, so
 * the active roles are expanded with USING.
 */
export async function sessionGrants(client: SqlClient, flavor: FlavorTraits): Promise<string[]> {
  let sql = 'SHOW GRANTS';
  if (flavor.name === 'mysql') {
    const [roles] = await queryFirstColumn(client, 'SELECT CURRENT_ROLE()');
    // CURRENT_ROLE() prints quoted names ('`r1`@`%`,`r2`@`%`') or NONE.
    if (roles && roles !== 'NONE') sql = `SHOW GRANTS FOR CURRENT_USER() USING ${roles}`;
  }
  return (await queryFirstColumn(client, sql)).filter((line): line is string => line !== null);
}

/** The account the session runs as, quoted for a GRANT statement: 'user'@'host'. */
export async function sessionAccount(client: SqlClient): Promise<string> {
  const [account] = await queryFirstColumn(client, 'SELECT CURRENT_USER()');
  const text = account ?? '';
  const at = text.lastIndexOf('@');
  const quote = (part: string): string => `'${part.replace(/'/g, "''")}'`;
  return at < 0 ? quote(text) : `${quote(text.slice(0, at))}@${quote(text.slice(at + 1))}`;
}
