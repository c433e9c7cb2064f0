/**
 * The one place where MariaDB and MySQL differ for Ferry: GTID variables, binlog status
 * statements and upsert syntax. Everything else speaks plain SQL both accept.
 */
export type Flavor = 'mariadb' | 'mysql';

export function flavorOfVersion(version: string): Flavor {
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

export const quoteIdentifier = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

export const quoteTable = (schema: string, table: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;

/**
 * Tail of a multi-row INSERT that overwrites an existing row with the inserted values.
 * MariaDB rejects MySQL 8's `AS new` alias; MySQL 8.0.20+ deprecates VALUES().
 */
export function upsertTail(flavor: Flavor, columns: string[]): string {
  if (flavor === 'mariadb') return ` ON DUPLICATE KEY UPDATE ${columns.map((c) => `${quoteIdentifier(c)}=VALUES(${quoteIdentifier(c)})`).join(',')}`;
  return ` AS ferry_new ON DUPLICATE KEY UPDATE ${columns.map((c) => `${quoteIdentifier(c)}=ferry_new.${quoteIdentifier(c)}`).join(',')}`;
}

/** The executed GTID set of a server: everything it has in its binlog. */
export function executedGtidSql(flavor: Flavor): string {
  return flavor === 'mariadb' ? 'SELECT @@GLOBAL.gtid_binlog_pos AS gtid' : 'SELECT @@GLOBAL.gtid_executed AS gtid';
}

/** File and offset of the binlog end (SHOW MASTER STATUS works on MariaDB 10.11 and MySQL 8.0). */
export const BINLOG_STATUS_SQL = 'SHOW MASTER STATUS';
