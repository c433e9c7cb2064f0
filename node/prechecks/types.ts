import type { ErrorCode, ErrorDetails } from '../../shared/errors/index.ts';
import type { TableRef } from '../../shared/model/change.ts';
import { PRECHECK_IDS, type PrecheckId } from '../../shared/config/precheck-ids.ts';
import type { SqlClient } from './sql.ts';

export { PRECHECK_IDS, type PrecheckId };

export function isPrecheckId(id: string): id is PrecheckId {
  return (PRECHECK_IDS as readonly string[]).includes(id);
}

/** Where the pipeline will resume reading the source binlog. */
export interface ResumePosition {
  file?: string;
  pos?: number;
  /** MariaDB 'domain-server-seq,...' or MySQL 'uuid:1-9,...' (an optional 'gtid:' prefix is ignored). */
  gtid?: string;
}

export interface PrecheckContext {
  /** Connection as the source's replication user (the user the binlog reader logs in as). */
  source: SqlClient;
  /** Connection as the target's application user (the user the loader logs in as). */
  target: SqlClient;
  /** Replicated source tables, already resolved from patterns. */
  tables: TableRef[];
  /**
   * Target tables the loader writes. @default the same names as `tables` (no renames).
   * Tables need not exist yet: only privileges are checked on them.
   */
  targetTables?: TableRef[];
  /** Schema of Ferry's checkpoint table on the target; when given, its privileges are checked too. */
  systemSchema?: string;
  /** Where the pipeline will resume, if it has a checkpoint: used by binlog_retention. */
  resumeFrom?: ResumePosition;
  /** One direction of a bidirectional channel: auto_increment compares the two masters. @default false */
  bidirectional?: boolean;
}

export interface PrecheckResult {
  id: PrecheckId;
  /** True when the check passed or was skipped. */
  ok: boolean;
  /** Set when the check did not run because the caller skipped it. */
  skipped?: true;
  /** What was found, in one line. */
  detail: string;
  /** What to do when not ok, exactly. */
  instruction?: string;
  /**
   * The specific error this failure amounts to, when it is one (a table without a key, a
   * purged binlog): assertPrechecksPassed throws it when it is the only failure.
   */
  error?: { code: ErrorCode; details: ErrorDetails };
}

/** What a checker returns; the runner adds the id. */
export type CheckOutcome = Omit<PrecheckResult, 'id' | 'skipped'>;

export interface PrecheckOptions {
  /** Ids of checks not to run. @default [] */
  skip?: readonly string[];
}
