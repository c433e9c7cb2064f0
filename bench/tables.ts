/**
 * The benchmark's tables. Every server gets the same definitions, so CHECKSUM TABLE can
 * compare a replica's contents with the primary's; only the WAN benchmark's `lag_probe`
 * copies differ by role (a trailing `applied_at` filled at apply time by a trigger; the
 * ordinary benchmark measures lag by GTID positions, bench/visibility-lag.ts).
 */
export const BENCH_SCHEMA = 'bench';

/** A narrow table of about 100 bytes a row, the size the reference speeds in docs/benchmarks.md use. */
export function narrowTableSql(schema: string): string {
  return `CREATE TABLE ${schema}.narrow (
  id INT PRIMARY KEY,
  name VARCHAR(40) NOT NULL,
  qty INT NOT NULL,
  at DATETIME(6) NOT NULL,
  price DECIMAL(10,2) NOT NULL
)`;
}

export const NARROW_COLUMNS = ['id', 'name', 'qty', 'at', 'price'];

/** A wide table of 20 columns of mixed types, about 600 bytes a row. */
export function wideTableSql(schema: string): string {
  return `CREATE TABLE ${schema}.wide (
  id BIGINT PRIMARY KEY,
  i1 INT NOT NULL,
  i2 SMALLINT NOT NULL,
  i3 TINYINT UNSIGNED NOT NULL,
  big BIGINT NOT NULL,
  ubig BIGINT UNSIGNED NOT NULL,
  dec1 DECIMAL(18,4) NOT NULL,
  dec2 DECIMAL(10,2) NULL,
  dbl DOUBLE NOT NULL,
  name VARCHAR(64) NOT NULL,
  label VARCHAR(255) NULL,
  note TEXT NOT NULL,
  created DATETIME(6) NOT NULL,
  updated DATETIME(6) NULL,
  day DATE NOT NULL,
  doc JSON NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL,
  payload BLOB NOT NULL,
  flag TINYINT(1) NOT NULL,
  score INT NULL
)`;
}

export const WIDE_COLUMNS = ['id', 'i1', 'i2', 'i3', 'big', 'ubig', 'dec1', 'dec2', 'dbl', 'name', 'label', 'note', 'created', 'updated', 'day', 'doc', 'status', 'payload', 'flag', 'score'];

/** Tables whose contents must match the primary's after every catch-up. */
export const VERIFIED_TABLES = ['narrow', 'wide'];

/** The lag probe table of the ordinary benchmark (the WAN benchmark has one per path). */
export const LAG_TABLE = 'lag_probe';

/**
 * Lag probe rows carry the source's write time in UTC. On a replica the table has one more
 * column, `applied_at`, set when the row is applied there (row-based replication and Ferry
 * both leave extra trailing columns to the target).
 */
export function lagProbeSql(schema: string, onReplica: boolean, table = LAG_TABLE): string {
  return `CREATE TABLE ${schema}.${table} (
  id BIGINT PRIMARY KEY,
  payload VARCHAR(64) NOT NULL,
  written_at DATETIME(6) NOT NULL${onReplica ? ',\n  applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)' : ''}
)`;
}

/**
 * Sets `applied_at` to the real clock in UTC as each row is applied. Not the column default:
 * MariaDB's SQL thread runs with the primary's event time as NOW(), so a default would record
 * the write time; SYSDATE(6) is the real clock. Through UNIX_TIMESTAMP it is UTC whatever the
 * session time zone (Ferry's sessions use UTC, the SQL thread the server's zone), so native
 * and Ferry copies compare alike with the source's UTC_TIMESTAMP(6).
 */
export function applyTimeTriggerSql(schema: string, table = LAG_TABLE): string {
  return `CREATE TRIGGER ${schema}.${table}_applied BEFORE INSERT ON ${schema}.${table} FOR EACH ROW
  SET NEW.applied_at = TIMESTAMPADD(MICROSECOND, ROUND(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000), '1970-01-01 00:00:00')`;
}
