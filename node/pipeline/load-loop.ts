import type { Pool } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { Batch, TableRef, TargetChange } from '../../shared/model/change.ts';
import type { TableMapping } from '../../shared/model/table-mapping.ts';
import type { Loader } from '../load/loader.ts';
import { classifyTargetError } from '../load/target-errors.ts';
import type { TargetTables } from '../load/target-tables.ts';
import { replayImageOf } from '../transform/replay-image.ts';
import { transformChange } from '../transform/transformer.ts';
import type { BatchReceiver, SelectedBatch } from './batch-channel.ts';
import { applyDdl } from './ddl-apply.ts';
import type { Classified } from './side-errors.ts';
import type { CopyWindow } from '../copy/copy-window.ts';

/** What the load side's loop works with: one attempt's channel end, loader and target. */
export interface LoadLoopContext {
  pipeline: RuntimePipeline;
  channel: BatchReceiver;
  loader: Loader;
  tables: TargetTables;
  pool: Pool;
  log: Logger;
  /** Remembers which channel batch a loader batch came from, for its acknowledgement. */
  submitted: (batch: Batch, seq: number) => void;
  /** Whether the pipeline was aborted: then nothing more is submitted. */
  aborted: () => boolean;
  onTarget: Classified;
  /** An online copy's batches and window (node/copy/). */
  copyWindow: CopyWindow;
}

/**
 * Receive → Transform → Load, batch by batch, until the stream ends (then everything received
 * commits) or the pipeline is aborted (then nothing more is submitted). A DDL batch drains
 * what came before it, runs under the pipeline's policy, and commits its position alone.
 * Throws the loader's failure or the channel's.
 */
export async function runLoadLoop(context: LoadLoopContext): Promise<void> {
  const { pipeline, channel, loader, tables, pool, log, onTarget } = context;
  /** Replicated source tables known to exist (DROP DATABASE); DDL keeps it up to date. */
  let knownTables = new Map<string, TableRef>();
  let firstAfterResume = true;
  const submit = async (selected: SelectedBatch): Promise<void> => {
    const batch = transformBatch(selected, pipeline.mapping);
    const copy = context.copyWindow.treat(selected);
    if (copy !== undefined) batch.copy = copy.copy;
    context.submitted(batch, selected.seq);
    await onTarget(loader.submit(batch));
    // The copy's chunks commit before the stream's batches start: a streamed row may fall in
    // a chunk's key range, which the chunk clears of rows it did not read.
    if (copy?.closes === true) await onTarget(loader.drain());
  };
  for (;;) {
    if (channel.failure) throw channel.failure;
    if (loader.failed !== undefined) throw classifyTargetError(loader.failed, pipeline.target);
    // Aborted: nothing further is submitted; what is in flight rolls back, so no ack comes
    // any more: the channel is closed, or a select side waiting for room would wait forever.
    if (context.aborted()) {
      channel.fail(new FerryError('FERRY_ERR_PIPELINE_ABORTED', { pipeline: pipeline.name }));
      return;
    }
    if (channel.ended) break;
    const selected = await channel.receive(1_000);
    if (!selected) continue;
    if (selected.knownTables) knownTables = new Map(selected.knownTables.map((t) => [`${t.schema}\u0000${t.table}`, t]));
    const ddl = selected.transactions.find((transaction) => transaction.ddl);
    if (ddl) {
      if (selected.transactions.length > 1) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `batch ${selected.seq} holds DDL and other transactions` });
      await onTarget(loader.drain());
      const changed = await applyDdl(ddl, { pipeline, pool, log, firstAfterResume, knownTables });
      for (const table of changed) tables.invalidate(table);
      await submit(selected);
      await onTarget(loader.drain());
    } else {
      await submit(selected);
    }
    firstAfterResume = false;
  }
  await onTarget(loader.drain());
}

/**
 * Transform: the batch's changes under their target names, with values ready for the target.
 * A batch that may be replayed (Batch.replay) is transformed only if something reads its
 * changes (the SQL path, the fallback): replay hands the target the events, and transforming
 * rows nobody reads, and decoding them (the reader's images are lazy, node/select/), was most
 * of Ferry's CPU per replayed row.
 */
export function transformBatch(selected: SelectedBatch, mapping: TableMapping): Batch {
  let rows = 0;
  // The kind of a lazy change is read without decoding its images (node/select/lazy-row-change.ts).
  const ops = { insert: 0, update: 0, delete: 0 };
  for (const transaction of selected.transactions) {
    rows += transaction.changes.length;
    for (const change of transaction.changes) ops[change.kind]++;
  }
  const batch: Batch = { end: selected.end, changes: [], rows, ops, transactions: selected.transactions.length, sourceTimestamp: selected.sourceTimestamp, openedAt: selected.openedAt };
  if (selected.echo === true) {
    // An echo is applied only where the target still holds its expected image: SQL only.
    batch.echo = true;
    batch.changes = transformChanges(selected, mapping);
    return batch;
  }
  const replay = replayImageOf(selected.transactions, mapping);
  if (replay === undefined) {
    batch.changes = transformChanges(selected, mapping);
    return batch;
  }
  batch.replay = replay.replay;
  batch.replayTables = replay.tables;
  let changes: TargetChange[] | undefined;
  Object.defineProperty(batch, 'changes', {
    get: () => (changes ??= transformChanges(selected, mapping)),
    set: (value: TargetChange[]) => void (changes = value),
    enumerable: true,
  });
  return batch;
}

function transformChanges(selected: SelectedBatch, mapping: TableMapping): TargetChange[] {
  const changes: TargetChange[] = [];
  for (const transaction of selected.transactions) {
    for (const change of transaction.changes) {
      const mapped = mapping.mapTable(change.schema, change.table);
      if (!mapped) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `batch ${selected.seq} holds a change of ${change.schema}.${change.table}, which no table rule replicates` });
      changes.push(transformChange(change, mapped));
    }
  }
  return changes;
}
