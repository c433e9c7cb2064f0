/** The chaos load's tables: every transaction writes one ledger row naming its effect. */
export const CHAOS_SCHEMA = 'chaos';

export const ACCOUNTS = 50;

export const CHAOS_TABLES = [
  `CREATE TABLE ledger (
    seq BIGINT PRIMARY KEY,
    writer INT NOT NULL,
    op ENUM('insert','update','delete') NOT NULL,
    row_id BIGINT NOT NULL,
    at DATETIME(6) NOT NULL
  )`,
  `CREATE TABLE items (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    payload VARCHAR(200) NOT NULL,
    KEY (seq)
  )`,
  `CREATE TABLE accounts (
    id INT PRIMARY KEY,
    ops INT NOT NULL,
    balance BIGINT NOT NULL
  )`,
  // One row the suite bumps to see replication move after a fault.
  `CREATE TABLE probe (
    id INT PRIMARY KEY,
    n BIGINT NOT NULL
  )`,
];

/** Rows present on both sides before the channel starts (it starts at the binlog's end). */
export const CHAOS_SEED_ROWS = [
  `INSERT INTO accounts SELECT seq, 0, 0 FROM seq_1_to_${ACCOUNTS}`,
  'INSERT INTO probe VALUES (1, 0)',
];
