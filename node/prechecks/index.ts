/**
 * Prechecks: named checks of a source and a target before a pipeline starts, each with an id
 * a user may skip and an instruction when it fails. What each one verifies:
 *
 * - binlog_format, binlog_row_image, binlog_row_metadata: the source's GLOBAL value is ROW,
 *   FULL, FULL (binlog-settings.ts). Sessions opened before a change keep the old value; no
 *   check can see them.
 * - server_id: server_id is non-zero and log_bin is ON.
 * - privileges: from the sessions' SHOW GRANTS (privileges.ts, grants.ts): source user has
 *   REPLICATION SLAVE, BINLOG MONITOR (REPLICATION CLIENT on MySQL and MariaDB < 10.5) and
 *   SELECT on every replicated table; target user has SELECT, INSERT, UPDATE, DELETE on every
 *   target table and, when systemSchema is given, CREATE, SELECT, INSERT, UPDATE on it.
 * - primary_keys: every replicated table has a primary key or a unique key over NOT NULL
 *   columns (table-key.ts); the failure names every table.
 * - auto_increment: for a bidirectional pipeline, the source's and the target's GLOBAL
 *   auto_increment_increment/offset never generate the same id (auto-increment.ts).
 * - binlog_retention: the source still holds the binlog from resumeFrom on (binlog-retention.ts).
 *
 * Not a precheck, since it cannot be skipped: checkMappedKeys (mapped-keys.ts) refuses a table
 * rule under which target rows cannot be identified by their key.
 *
 * A split pipeline runs them in two halves joined by its resume request (split-prechecks.ts):
 * runSourcePrechecks on the select side, runTargetPrechecks and checkMappedKeysWith on the
 * load side, runRetentionPrecheck on the select side once the load side has answered.
 */
export { runPrechecks, assertPrechecksPassed } from './run-prechecks.ts';
export { PRECHECK_IDS, isPrecheckId, type PrecheckId, type PrecheckContext, type PrecheckResult, type PrecheckOptions, type ResumePosition } from './types.ts';
export { describeTableKey, chooseTableKey, identifyingKeys, readIndexes, type TableKey, type IndexInfo } from './table-key.ts';
export { checkMappedKeys, checkMappedKeysWith, mappedKeyProblem, type ColumnType, type MappedTableRef, type SourceKeyFacts } from './mapped-keys.ts';
export { runSourcePrechecks, runTargetPrechecks, runRetentionPrecheck, RETENTION_ON_SELECT_SIDE } from './split-prechecks.ts';
export { parseSourcePrecheckReport, ReportShapeError, SOURCE_CHECK_IDS, type SourcePrecheckReport, type SourceTableReport } from './source-report.ts';
export { formatPrecheckReport, failureSummary } from './report.ts';
export { detectFlavorTraits, parseFlavorTraits, type FlavorTraits } from './flavor-traits.ts';
export type { SqlClient } from './sql.ts';
