import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { FerryError } from '../../shared/errors/index.ts';
import type { SourceTransaction, TableRef } from '../../shared/model/change.ts';
import type { Extractor } from '../extract/extractor.ts';
import type { BatchSender } from './batch-channel.ts';
import { BatchBuilder } from './batch-builder.ts';
import type { TransactionQueue } from './transaction-queue.ts';

/** What the select side's loop works with: one stream's queue (filled by the binlog reader) and the channel. */
export interface SelectLoopContext {
  pipeline: RuntimePipeline;
  queue: TransactionQueue;
  extractor: Extractor;
  channel: BatchSender;
  /** Replicated source tables at the stream's start: sent with the first batch. */
  knownTables: TableRef[];
  /** The first batch's sequence number (batches of an online copy came before). @default 1 */
  firstSeq?: number;
  /** The binlog reader's error, once it failed. */
  readerFailure: () => FerryError | undefined;
  stopRequested: () => boolean;
  /** Whether the pipeline was aborted: then nothing more is sent. */
  aborted: () => boolean;
  /** Told, each turn, whether changes are waiting (queued, batched, or sent and not committed). */
  setBehind: (behind: boolean) => void;
}

/**
 * Extract → batch → send, transaction by transaction from the queue, until a stop is asked
 * for: then the open batch is sent and the stream ended, unless the pipeline was aborted. A
 * batch closes at batch.maxRows, batch.maxBytes, or batch.maxDelayMs after it opened, and at
 * once when nothing is queued behind it and the target is idle (no batch unacknowledged):
 * waiting then would only add lag, while grouping behind a batch in flight is what makes
 * catch-up fast. A DDL transaction goes in a batch of its own, and a batch is all echoes or
 * none. Throws the reader's failure or the channel's.
 */
export async function runSelectLoop(context: SelectLoopContext): Promise<void> {
  const { queue, channel } = context;
  const builder = new BatchBuilder();
  let seq = (context.firstSeq ?? 1) - 1;
  let knownTables: TableRef[] | undefined = context.knownTables;
  const flush = async (): Promise<void> => {
    const built = builder.take();
    if (!built) return;
    await channel.send({ ...built, seq: ++seq, ...(knownTables ? { knownTables } : {}) });
    knownTables = undefined;
  };
  /** Nothing queued and nothing in flight: the open batch would wait for nothing. */
  const idle = (): boolean => queue.size === 0 && channel.unacked === 0;
  // The last acknowledgement makes the target idle: wake a loop waiting out maxDelayMs.
  const stopListening = channel.onAcked?.(() => {
    if (!builder.isEmpty && idle()) queue.wake();
  });
  try {
    await loop(context, builder, flush, idle);
  } finally {
    stopListening?.();
  }
}

async function loop(context: SelectLoopContext, builder: BatchBuilder, flush: () => Promise<void>, idle: () => boolean): Promise<void> {
  const { pipeline, queue, extractor, channel } = context;
  for (;;) {
    const readerFailure = context.readerFailure();
    if (readerFailure) throw readerFailure;
    if (channel.failure) throw channel.failure;
    if (context.stopRequested()) break;
    context.setBehind(queue.size > 0 || !builder.isEmpty || channel.unacked > 0);
    const wait = builder.isEmpty ? 1_000 : builder.startedAt + pipeline.batch.maxDelayMs - Date.now();
    const transaction: SourceTransaction | undefined = wait > 0 ? await queue.take(wait) : undefined;
    if (!transaction) {
      if (!builder.isEmpty && (idle() || Date.now() >= builder.startedAt + pipeline.batch.maxDelayMs)) await flush();
      continue;
    }
    const extracted = extractor.transaction(transaction);
    if (transaction.ddl) {
      await flush();
      // The statement's position (and the rows of CREATE TABLE ... SELECT), in a batch of its own.
      builder.add(extracted);
      await flush();
    } else {
      // Echoes are applied under their own rule (node/load/conflict-policy.ts): never in one batch with other transactions.
      if (!builder.isEmpty && builder.echo !== (transaction.echo === true)) await flush();
      builder.add(extracted);
      if (builder.rows >= pipeline.batch.maxRows || builder.bytes >= pipeline.batch.maxBytes || idle()) await flush();
    }
  }
  // Aborted: nothing further is sent; what is in flight rolls back.
  if (context.aborted()) return;
  await flush();
  channel.end();
}
