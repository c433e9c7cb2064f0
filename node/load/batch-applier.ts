import type { PoolConnection } from 'mysql2/promise';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import { faultPoint } from '../../shared/faults.ts';
import type { Batch, BatchCopy, ClearRange, Row } from '../../shared/model/change.ts';
import type { Flavor } from '../../shared/mysql/flavor.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import type { TableOperations } from './merge.ts';
import { clearRange } from './range-clear.ts';
import { statementsFor, type Statement } from './statements.ts';
import { isRetryableTargetError } from './target-errors.ts';
import type { TargetTables } from './target-tables.ts';

export type ErrorPolicy = 'stop' | 'skip';

export interface ApplyContext {
  flavor: Flavor;
  checkpoints: CheckpointStore;
  tables: TargetTables;
  errorPolicy: ErrorPolicy;
}

/** Thrown into batches queued behind one that failed: they roll back without an error of their own. */
export class PredecessorFailed extends Error {}

/** A batch's net changes per table, and the statements that apply them (built before a connection is free). */
export interface BatchWork {
  operations: TableOperations[];
  statements: Statement[];
  /** A copy batch's key range: rows in it the batch does not write are deleted first. */
  clear?: { range: ClearRange; kept: Row[] };
}

/**
 * The work of a batch: its merged operations and their statements. A copy batch first deletes
 * what its key range holds on the target and the copy did not read (node/copy/).
 */
export function batchWork(operations: TableOperations[], flavor: Flavor, copy?: BatchCopy): BatchWork {
  const replace = copy?.replace === true;
  const statements = operations.flatMap((table) => statementsFor(flavor, table, undefined, replace));
  const clear = copy?.clear;
  if (clear === undefined) return { operations, statements };
  const kept = operations.find((table) => table.table.schema === clear.schema && table.table.table === clear.table)?.writes ?? [];
  return { operations, statements, clear: { range: clear, kept } };
}

/**
 * Applies one batch as one target transaction: fence check, the batch's net row changes,
 * the checkpoint row; then waits for `turn` (the previous batch's commit) and commits, so
 * batches commit in source order however they were applied.
 */
export async function applyBatch(connection: PoolConnection, batch: Batch, work: BatchWork, worker: number, seq: number, turn: Promise<void>, context: ApplyContext): Promise<void> {
  const { operations, statements } = work;
  await connection.beginTransaction();
  try {
    await context.checkpoints.checkFence(connection);
    try {
      if (work.clear) await clearRange(connection, work.clear.range, work.clear.kept);
      for (const statement of statements) await runStatement(connection, statement);
    } catch (error) {
      if (isRetryableTargetError(error)) throw error;
      // A row the target refuses: find which, one row at a time, then stop or skip it.
      await connection.rollback();
      await connection.beginTransaction();
      await context.checkpoints.checkFence(connection);
      if (work.clear) await clearRange(connection, work.clear.range, work.clear.kept);
      await applyRowByRow(connection, operations, batch, context);
    }
    await context.checkpoints.write(connection, worker, seq, batch.end, batch.sourceTimestamp, batch.copy?.state ?? null);
    faultPoint('before-commit');
    await turn;
    await connection.commit();
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  }
  faultPoint('after-commit');
}

const ER_DUP_ENTRY = 1062;

/**
 * Runs a statement; a plain INSERT of created rows that meets a row already on the target
 * (the failed statement changed nothing: InnoDB rolls a statement back whole) runs again as
 * an upsert, so the batch's final image wins as it always did.
 */
async function runStatement(connection: PoolConnection, statement: Statement): Promise<void> {
  try {
    await connection.query(statement.sql);
  } catch (error) {
    if (statement.upsert === undefined || (error as { errno?: number }).errno !== ER_DUP_ENTRY) throw error;
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

async function applyOrSkip(connection: PoolConnection, statement: Statement, operation: TableOperations, batch: Batch, context: ApplyContext): Promise<void> {
  try {
    await runStatement(connection, statement);
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
