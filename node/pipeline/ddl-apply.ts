import type { Pool } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { DdlStatement, SourcePosition, SourceTransaction, TableRef } from '../../shared/model/change.ts';
import { markedDdl, markedDropTables } from '../select/ddl-mark.ts';
import { parseDdl, type ParsedDdl } from './ddl.ts';
import { replicatedTables, rewriteDdl, swappedIn } from './ddl-tables.ts';

/**
 * Errors that mean "already done" when a DDL is applied again after a crash between the
 * statement and its checkpoint: table exists, duplicate column or key, nothing to drop.
 */
const ALREADY_APPLIED_ERRNOS = new Set([1050, 1051, 1060, 1061, 1091, 1146, 1054]);

export interface DdlContext {
  pipeline: RuntimePipeline;
  pool: Pool;
  log: Logger;
  /** True for the first transaction after a resume: the only one that may have been applied already. */
  firstAfterResume: boolean;
  /** Replicated source tables known to exist (for DROP DATABASE, which names none); DDL updates it. */
  knownTables: Map<string, TableRef>;
}

const known = (t: TableRef): string => `${t.schema}\u0000${t.table}`;

/** Keeps the known replicated tables up to date with what a statement creates, renames or drops. */
function rememberTables(parsed: ParsedDdl, context: DdlContext): void {
  const replicated = replicatedTables(parsed, context.pipeline.mapping);
  if (parsed.kind === 'drop') for (const t of replicated) context.knownTables.delete(known(t));
  else for (const t of replicated) context.knownTables.set(known(t), { schema: t.schema, table: t.table });
}

/**
 * DROP DATABASE names no table: it concerns the pipeline when a replicated table lived in
 * that schema. Under `apply` it drops those tables' targets, not the target schema, which
 * may be shared (a schema rename, several sources merged into one).
 */
async function dropSchema(schema: string, { sql }: DdlStatement, position: string, context: DdlContext): Promise<TableRef[]> {
  const { pipeline, log } = context;
  if (!pipeline.mapping.coversSchema(schema)) return [];
  const dropped = [...context.knownTables.values()].filter((t) => t.schema === schema);
  if (pipeline.ddl === 'ignore') {
    log.warn({ sql, position }, 'DDL on a replicated table ignored');
    return [];
  }
  refuseUnlessPrimary(pipeline, dropped[0] ?? { schema, table: '*' }, sql, position);
  if (pipeline.ddl === 'stop') throw new FerryError('FERRY_ERR_DDL_NOT_ALLOWED', { position, sql });
  if (dropped.length === 0) {
    // Resumed after the schema was gone from the source: its tables cannot be listed any more.
    throw new FerryError('FERRY_ERR_DDL_APPLY_FAILED', { position, sql, detail: 'the tables of the dropped schema are no longer known; drop their targets by hand' });
  }
  const targets = dropped.map((t) => pipeline.mapping.mapTable(t.schema, t.table)?.target).filter((t): t is TableRef => t !== undefined);
  const statement = markedDropTables(pipeline.name, targets);
  try {
    await context.pool.query(statement);
  } catch (error) {
    throw new FerryError('FERRY_ERR_DDL_APPLY_FAILED', { position, sql: statement, detail: (error as { sqlMessage?: string }).sqlMessage ?? String(error) }, { cause: error });
  }
  for (const t of dropped) context.knownTables.delete(known(t));
  log.info({ sql: statement, position }, 'DDL applied');
  return targets;
}

/**
 * DROP TABLE naming replicated and other tables drops only the replicated ones on the
 * target: a table outside the pipeline that happens to share a name there is not ours.
 */
function dropReplicatedOnly(parsed: ParsedDdl, pipeline: RuntimePipeline): string {
  const targets = parsed.tables.map((t) => pipeline.mapping.mapTable(t.schema, t.table)?.target).filter((t): t is TableRef => t !== undefined);
  return markedDropTables(pipeline.name, targets);
}

/**
 * A bidirectional channel takes DDL from its primary only: its mirror's DDL never gets here
 * (it carries the mirror's mark and is dropped on the select side), so DDL reaching the
 * non-primary direction was run on the non-primary master by someone, and is refused.
 */
function refuseUnlessPrimary(pipeline: RuntimePipeline, table: TableRef, sql: string, position: string): void {
  if (pipeline.bidirectional === undefined || pipeline.bidirectional.primary) return;
  throw new FerryError('FERRY_ERR_DDL_NOT_PRIMARY', { table: `${table.schema}.${table.table}`, position, pipeline: pipeline.name, sql });
}

export function describePosition(position: SourcePosition): string {
  return position.gtidSet !== undefined ? `${position.file}:${position.pos} (GTID set ${position.gtidSet})` : `${position.file}:${position.pos}`;
}

/**
 * A statement Ferry cannot replicate (a row change logged as a statement, or one it does not
 * understand): when it may change a replicated table, it stops the pipeline under `stop` and
 * `apply` and is logged and stepped over under `ignore`; never skipped in silence.
 */
function unsupported(parsed: ParsedDdl, { sql }: DdlStatement, position: string, context: DdlContext): TableRef[] {
  const { pipeline, log } = context;
  const touched = replicatedTables(parsed, pipeline.mapping);
  if (touched.length === 0) {
    log.debug({ sql, position, kind: parsed.kind }, 'statement on no replicated table skipped');
    return [];
  }
  const tables = touched.map((t) => `${t.schema}.${t.table}`);
  const reason = parsed.kind === 'dml' ? 'a row change logged as a statement, not as rows' : `not understood: ${parsed.reason ?? 'unknown statement'}`;
  if (pipeline.ddl === 'ignore') {
    log.warn({ sql, position, kind: parsed.kind, reason, tables }, 'DDL on a replicated table ignored');
    return [];
  }
  throw new FerryError('FERRY_ERR_DDL_UNSUPPORTED', { position, table: tables[0], reason, sql });
}

/**
 * Handles the statements of a transaction (its DDL, or the row changes a session logged as
 * statements) by the pipeline's `ddl` policy, in order. Returns the target tables whose
 * definition may have changed (their cached metadata must go).
 */
export async function applyDdl(transaction: SourceTransaction, context: DdlContext): Promise<TableRef[]> {
  const position = describePosition(transaction.end);
  const changed: TableRef[] = [];
  for (const statement of [transaction.ddl!, ...(transaction.laterStatements ?? [])]) changed.push(...(await applyStatement(statement, position, context)));
  return changed;
}

async function applyStatement(ddl: DdlStatement, position: string, context: DdlContext): Promise<TableRef[]> {
  const { pipeline, log } = context;
  const parsed = parseDdl(ddl.sql, ddl.schema);
  if (parsed.kind === 'drop-schema') return dropSchema(parsed.schema!, ddl, position, context);
  if (parsed.kind === 'no-table') return [];
  if (parsed.kind === 'dml' || parsed.kind === 'unknown') return unsupported(parsed, ddl, position, context);
  rememberTables(parsed, context);
  if (replicatedTables(parsed, pipeline.mapping).length === 0) return [];
  const swap = swappedIn(parsed, pipeline.mapping);
  if (pipeline.ddl === 'ignore') {
    log.warn({ sql: ddl.sql, position, kind: parsed.kind, ...(swap ? { swappedIn: `${swap.from.schema}.${swap.from.table}` } : {}) }, 'DDL on a replicated table ignored');
    return [];
  }
  refuseUnlessPrimary(pipeline, replicatedTables(parsed, pipeline.mapping)[0]!, ddl.sql, position);
  // An online schema change's cut-over from a shadow table the target does not have: applying
  // the RENAME would fail or move the wrong table, and "apply it by hand" would be wrong advice.
  if (swap) throw new FerryError('FERRY_ERR_DDL_SWAP_IN', { position, from: `${swap.from.schema}.${swap.from.table}`, table: `${swap.table.schema}.${swap.table.table}`, sql: ddl.sql });
  if (pipeline.ddl === 'stop') throw new FerryError('FERRY_ERR_DDL_NOT_ALLOWED', { position, sql: ddl.sql });
  // Marked with the pipeline's name (ddl-mark.ts): the mirror of a bidirectional pipeline drops it.
  const statement = parsed.kind === 'drop' ? dropReplicatedOnly(parsed, pipeline) : markedDdl(pipeline.name, rewriteDdl(ddl.sql, parsed, pipeline.mapping));
  try {
    await context.pool.query(statement);
    log.info({ sql: statement, position }, 'DDL applied');
  } catch (error) {
    const errno = (error as { errno?: number }).errno;
    if (context.firstAfterResume && errno !== undefined && ALREADY_APPLIED_ERRNOS.has(errno)) {
      log.warn({ sql: statement, errno }, 'DDL already applied before a restart; stepping over it');
    } else {
      throw new FerryError('FERRY_ERR_DDL_APPLY_FAILED', { position, sql: statement, detail: (error as { sqlMessage?: string }).sqlMessage ?? String(error) }, { cause: error });
    }
  }
  return parsed.tables.map((t) => pipeline.mapping.mapTable(t.schema, t.table)?.target ?? t);
}
