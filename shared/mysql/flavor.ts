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

/**
 * Thread ids of the transactions that block thread `?` on a row lock (needs PROCESS).
 * MariaDB keeps InnoDB's lock waits in information_schema; MySQL 8 moved them to
 * performance_schema.data_lock_waits.
 */
export function lockBlockersSql(flavor: Flavor): string {
  return flavor === 'mysql'
    ? `SELECT b.trx_mysql_thread_id AS blocker FROM performance_schema.data_lock_waits w
       JOIN information_schema.INNODB_TRX b ON b.trx_id = w.BLOCKING_ENGINE_TRANSACTION_ID
       JOIN information_schema.INNODB_TRX r ON r.trx_id = w.REQUESTING_ENGINE_TRANSACTION_ID
       WHERE r.trx_mysql_thread_id = ?`
    : `SELECT b.trx_mysql_thread_id AS blocker FROM information_schema.INNODB_LOCK_WAITS w
       JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
       JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id
       WHERE r.trx_mysql_thread_id = ?`;
}
