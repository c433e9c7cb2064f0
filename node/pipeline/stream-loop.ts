import type { Pool } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { SourceTransaction, TableRef } from '../../shared/model/change.ts';
import { Extractor, type RowHook } from '../extract/extractor.ts';
import type { Loader } from '../load/loader.ts';
import { classifyTargetError } from '../load/target-errors.ts';
import type { TargetTables } from '../load/target-tables.ts';
import { transformChange } from '../transform/transformer.ts';
import { BatchBuilder } from './batch-builder.ts';
import { applyDdl } from './ddl-apply.ts';
import type { TransactionQueue } from './transaction-queue.ts';

/** What the loop works with: one attempt's queue (filled by the binlog reader), loader and target. */
export interface StreamLoopContext {
  pipeline: RuntimePipeline;
  queue: TransactionQueue;
  loader: Loader;
  tables: TargetTables;
  pool: Pool;
  log: Logger;
  /** Replicated source tables known to exist (DROP DATABASE); DDL keeps it up to date. */
  knownTables: Map<string, TableRef>;
  hook?: RowHook;
  /** The binlog reader's error, once it failed. */
  readerFailure: () => FerryError | undefined;
  stopRequested: () => boolean;
  /** Whether the pipeline was aborted: then nothing more is submitted. */
  aborted: () => boolean;
  /** Told, each turn, whether changes are waiting (queued, batched or being applied). */
  setBehind: (behind: boolean) => void;
  /** Classifies a driver error of the apply path (a lost connection is retryable). */
  onTarget: <T>(work: Promise<T>) => Promise<T>;
}

/**
 * Extract → Transform → batch → Load, transaction by transaction from the queue, until a
 * stop is asked for: then the open batch is submitted and everything drains, unless the
 * pipeline was aborted. A batch closes at batch.maxRows, batch.maxBytes, or batch.maxDelayMs
 * after it opened. DDL drains what came before it, runs under the pipeline's policy, and
 * commits its position in a batch of its own. Throws the reader's or the loader's failure.
 */
export async function runStreamLoop(context: StreamLoopContext): Promise<void> {
  const { pipeline, queue, loader, tables, pool, log, knownTables, onTarget } = context;
  const extractor = new Extractor(pipeline.mapping, context.hook);
  const builder = new BatchBuilder();
  let firstAfterResume = true;
  const flush = async (): Promise<void> => {
    const batch = builder.take();
    if (batch) await onTarget(loader.submit(batch));
  };
  for (;;) {
    const readerFailure = context.readerFailure();
    if (readerFailure) throw readerFailure;
    if (loader.failed !== undefined) throw classifyTargetError(loader.failed, pipeline.target);
    if (context.stopRequested()) break;
    context.setBehind(queue.size > 0 || !builder.isEmpty || loader.pending > 0);
    const wait = builder.isEmpty ? 1_000 : builder.startedAt + pipeline.batch.maxDelayMs - Date.now();
    const transaction: SourceTransaction | undefined = wait > 0 ? await queue.take(wait) : undefined;
    if (!transaction) {
      if (!builder.isEmpty && Date.now() >= builder.startedAt + pipeline.batch.maxDelayMs) await flush();
      continue;
    }
    if (transaction.ddl) {
      await flush();
      await onTarget(loader.drain());
      const changed = await applyDdl(transaction, { pipeline, pool, log, firstAfterResume, knownTables });
      for (const table of changed) tables.invalidate(table);
      // The position after the statement (and the rows of CREATE TABLE ... SELECT), in a batch of its own.
      builder.add(transaction, extractor.extract(transaction, transformChange));
      await flush();
      await onTarget(loader.drain());
    } else {
      builder.add(transaction, extractor.extract(transaction, transformChange));
      if (builder.rows >= pipeline.batch.maxRows || builder.bytes >= pipeline.batch.maxBytes) await flush();
    }
    firstAfterResume = false;
  }
  // Aborted: nothing further is submitted; what is in flight rolls back.
  if (context.aborted()) return;
  await flush();
  await onTarget(loader.drain());
}
