import type { PoolConnection } from 'mysql2/promise';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import { faultPoint } from '../../shared/faults.ts';
import type { Batch, BatchCopy, ClearRange, Row } from '../../shared/model/change.ts';
import type { ConflictRecord } from '../../shared/model/conflict.ts';
import type { Flavor } from '../../shared/mysql/flavor.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { resolveConflicts, type ConflictSettings } from './conflict-resolver.ts';
import { positionText, recordConflicts } from './conflict-store.ts';
import type { TableOperations } from './merge.ts';
import { clearRange } from './range-clear.ts';
import { replayFailed, type ReplaySettings, type ReplayWork } from './replay-plan.ts';
import { statementsFor, type Statement } from './statements.ts';
import { isRetryableTargetError } from './target-errors.ts';
import type { TargetTables } from './target-tables.ts';

export type ErrorPolicy = 'stop' | 'skip';

export interface ApplyContext {
  flavor: Flavor;
  checkpoints: CheckpointStore;
  tables: TargetTables;
  errorPolicy: ErrorPolicy;
  /** Conflict detection (detectConflicts): absent, batches are applied without looking at the target. @default none */
  conflicts?: ConflictSettings;
  /** Row events replayed where they apply (binlogReplay, docs/replay.md); absent: SQL only. @default none */
  replay?: ReplaySettings;
}

/** How a batch's rows were written: replayed, by SQL, or by SQL after the replay failed. */
export type AppliedBy = 'replay' | 'sql' | 'fallback';

/** What applyBatch reports of a committed batch. */
export interface Applied {
  /** The conflicts it recorded (detection on). */
  conflicts: ConflictRecord[];
  by: AppliedBy;
}

/** Thrown into batches queued behind one that failed: they roll back without an error of their own. */
export class PredecessorFailed extends Error {}

/** A batch's net changes per table, and the statements that apply them (built before a connection is free). */
export interface BatchWork {
  operations: TableOperations[];
  statements: Statement[];
  /** A copy batch's key range: rows in it the batch does not write are deleted first. */
  clear?: { range: ClearRange; kept: Row[] };
  /** Checked against the target first (node/load/conflict-resolver.ts): `statements` are built after the check, in the transaction. */
  detect?: boolean;
  /**
   * Replayed (node/load/replay-plan.ts): `operations` and `statements` are empty, and `sql`
   * builds them only if the BINLOG statement fails (the fallback).
   */
  replay?: ReplayWork;
  sql?: () => Promise<BatchWork>;
}

/**
 * The work of a batch: its merged operations and their statements. A copy batch first deletes
 * what its key range holds on the target and the copy did not read (node/copy/).
 */
export function batchWork(operations: TableOperations[], flavor: Flavor, copy?: BatchCopy, detect = false): BatchWork {
  if (detect) return { operations, statements: [], detect };
  const replace = copy?.replace === true;
  const statements = operations.flatMap((table) => statementsFor(flavor, table, undefined, replace));
  const clear = copy?.clear;
  if (clear === undefined) return { operations, statements };
  const kept = operations.find((table) => table.table.schema === clear.schema && table.table.table === clear.table)?.writes ?? [];
  return { operations, statements, clear: { range: clear, kept } };
}

/**
 * Applies one batch as one target transaction: fence check, the batch's net row changes (or
 * its replayed row events), the checkpoint row; then waits for `turn` (the previous batch's
 * commit) and commits, so batches commit in source order however they were applied;
 * `onApplied` is called just before that wait, all its statements done. Returns
 * the conflicts the batch recorded (detection on) and how its rows were written.
 */
export async function applyBatch(connection: PoolConnection, batch: Batch, work: BatchWork, worker: number, seq: number, turn: Promise<void>, context: ApplyContext, onApplied?: () => void): Promise<Applied> {
  let conflicts: ConflictRecord[] = [];
  let by: AppliedBy = work.replay === undefined ? 'sql' : 'replay';
  await connection.beginTransaction();
  try {
    await context.checkpoints.checkFence(connection);
    if (work.replay !== undefined && !(await replayed(connection, work.replay, context))) {
      // The row applier refused (a row missing or present, a type): the SQL path converges.
      by = 'fallback';
      await connection.rollback();
      await connection.beginTransaction();
      await context.checkpoints.checkFence(connection);
      work = await work.sql!();
    }
    if (by !== 'replay') conflicts = await applySql(connection, batch, work, context);
    await context.checkpoints.write(connection, worker, seq, batch.end, batch.sourceTimestamp, batch.copy?.state ?? null);
    faultPoint('before-commit');
    // Every row lock the batch takes is taken: a later batch of its tables may start (loader.ts).
    onApplied?.();
    await turn;
    await connection.commit();
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    if (error instanceof ConflictStop) throw await recordStop(connection, error.records, context);
    throw error;
  }
  faultPoint('after-commit');
  return { conflicts, by };
}

/**
 * Runs the batch's BINLOG statements. False when the target refused them with an error a
 * retry cannot cure (the caller applies the batch by SQL); retryable errors are thrown, as
 * on the SQL path, and so is FERRY_ERR_REPLAY_REFUSED (binlogReplay: require).
 */
async function replayed(connection: PoolConnection, replay: ReplayWork, context: ApplyContext): Promise<boolean> {
  try {
    for (const statement of replay.statements) await connection.query(statement);
    return true;
  } catch (error) {
    if (isRetryableTargetError(error)) throw error;
    replayFailed(error, replay, context.replay!);
    return false;
  }
}

/** The SQL path of a batch, inside its transaction (fence checked): returns the conflicts recorded. */
async function applySql(connection: PoolConnection, batch: Batch, work: BatchWork, context: ApplyContext): Promise<ConflictRecord[]> {
  const { operations, statements } = work;
  try {
    if (work.clear) await clearRange(connection, work.clear.range, work.clear.kept);
    if (work.detect === true) return await applyDetecting(connection, batch, work, context, false);
    for (const statement of statements) await runStatement(connection, statement);
    return [];
  } catch (error) {
    // Policy stop: nothing to find row by row.
    if (isRetryableTargetError(error) || error instanceof ConflictStop) throw error;
    // A row the target refuses: find which, one row at a time, then stop or skip it.
    await connection.rollback();
    await connection.beginTransaction();
    await context.checkpoints.checkFence(connection);
    if (work.clear) await clearRange(connection, work.clear.range, work.clear.kept);
    if (work.detect === true) return await applyDetecting(connection, batch, work, context, true);
    await applyRowByRow(connection, operations, batch, context);
    return [];
  }
}

/** Thrown out of the batch's transaction when policy stop met a conflict: nothing of the batch commits. */
class ConflictStop extends Error {
  constructor(readonly records: ConflictRecord[]) {
    super('conflicts under policy stop');
  }
}

/**
 * Detection's apply: check the batch's keys on the target, settle conflicts by the policy,
 * record them in the batch's transaction, then write what remains. `rowByRow`: one row per
 * statement, to find a row the target refuses (as applyRowByRow).
 */
async function applyDetecting(connection: PoolConnection, batch: Batch, work: BatchWork, context: ApplyContext, rowByRow: boolean): Promise<ConflictRecord[]> {
  const resolution = await resolveConflicts(connection, context.flavor, work.operations, positionText(batch.end), context.conflicts!, batch.echo === true);
  if (resolution.stopped) throw new ConflictStop(resolution.records);
  await recordConflicts(connection, context.checkpoints.systemSchema, resolution.records);
  for (const { operations, replace } of resolution.tables) {
    for (const statement of statementsFor(context.flavor, operations, rowByRow ? 1 : undefined, replace, true)) {
      if (rowByRow) await applyOrSkip(connection, statement, operations, batch, context, true);
      else await runStatement(connection, statement, true);
    }
  }
  return resolution.records;
}

/**
 * Policy stop: the conflicts are recorded in a transaction of their own (the batch's rolled
 * back), and the error that stops the pipeline says where and what to do.
 */
async function recordStop(connection: PoolConnection, records: ConflictRecord[], context: ApplyContext): Promise<FerryError> {
  await connection.beginTransaction();
  try {
    await recordConflicts(connection, context.checkpoints.systemSchema, records);
    await connection.commit();
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  }
  const first = records.find((record) => record.decision === 'stopped') ?? records[0]!;
  return new FerryError('FERRY_ERR_CONFLICT', {
    pipeline: first.pipeline, count: records.length, table: first.table, key: JSON.stringify(first.key), kind: first.kind, position: first.position,
  });
}

const ER_DUP_ENTRY = 1062;

/**
 * Runs a statement; a plain INSERT of created rows that meets a row already on the target
 * (the failed statement changed nothing: InnoDB rolls a statement back whole) runs again as
 * an upsert, so the batch's final image wins as it always did.
 *
 * `checked` (detection): a duplicate means a row appeared after the check found the key free
 * (an application's insert under READ COMMITTED): the batch is applied again from the check,
 * so that row is judged as a conflict, never overwritten unseen.
 */
async function runStatement(connection: PoolConnection, statement: Statement, checked = false): Promise<void> {
  try {
    await connection.query(statement.sql);
  } catch (error) {
    if ((error as { errno?: number }).errno !== ER_DUP_ENTRY) throw error;
    if (checked) throw new FerryError('FERRY_ERR_TARGET_WRITE', { detail: 'a row appeared on the target under a key the conflict check found free; the batch is applied again' }, { cause: error });
    if (statement.upsert === undefined) throw error;
    await connection.query(statement.upsert().sql);
  }
}

function describeKey(row: Row, key: string[]): string {
  return JSON.stringify(Object.fromEntries(key.map((column) => {
    const value = row[column];
    return [column, Buffer.isBuffer(value) ? `0x${value.toString('hex')}` : typeof value === 'bigint' ? value.toString() : value];
  })));
}

async function applyRowByRow(connection: PoolConnection, operations: TableOperations[], batch: Batch, context: ApplyContext): Promise<void> {
  for (const table of operations) {
    for (const statement of statementsFor(context.flavor, table, 1, batch.copy?.replace === true)) await applyOrSkip(connection, statement, table, batch, context);
  }
}

async function applyOrSkip(connection: PoolConnection, statement: Statement, operation: TableOperations, batch: Batch, context: ApplyContext, checked = false): Promise<void> {
  try {
    await runStatement(connection, statement, checked);
  } catch (error) {
    if (isRetryableTargetError(error)) throw error;
    const row = statement.rows[0] ?? {};
    const kind = statement.sql.startsWith('DELETE') ? 'delete' : 'write';
    const table = `${operation.table.schema}.${operation.table.table}`;
    const key = describeKey(row, operation.key);
    const detail = (error as { sqlMessage?: string }).sqlMessage ?? describeError(error);
    if (context.errorPolicy === 'skip') {
      await context.checkpoints.recordSkipped(connection, { table, key, operation: kind, error: detail, position: batch.end });
      return;
    }
    throw new FerryError('FERRY_ERR_APPLY_FAILED', { kind, table, key, detail }, { cause: error });
  }
}
