import type { RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { StartPosition } from '../../shared/config/pipeline-spec.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { SourcePosition, SourceTransaction } from '../../shared/model/change.ts';
import { flavorOfVersion } from '../../shared/mysql/flavor.ts';
import { Extractor, type RowHook } from '../extract/extractor.ts';
import { CheckpointStore } from '../load/checkpoint-store.ts';
import { Loader } from '../load/loader.ts';
import { classifyTargetError } from '../load/target-errors.ts';
import { TargetTables } from '../load/target-tables.ts';
import { BinlogReader } from '../select/binlog-reader.ts';
import { classifySourceError } from '../select/source-errors.ts';
import { transformChange } from '../transform/transformer.ts';
import { BatchBuilder } from './batch-builder.ts';
import { applyDdl } from './ddl-apply.ts';
import { ProgressTracker, type PipelineStatus } from './progress.ts';
import { replicatedTables, runPipelinePrechecks } from './pipeline-prechecks.ts';
import { currentSourcePosition, openSourceSession } from './source-session.ts';
import { createTargetPool } from './target-pool.ts';
import { TransactionQueue } from './transaction-queue.ts';

export interface RunnerOptions {
  log: Logger;
  hook?: RowHook;
}

/**
 * Runs one pipeline in this process: Select → Extract → Transform → Load, resuming from the
 * checkpoint in the target. Retryable failures (a source or target restarting, a dropped
 * connection) end the attempt; the next attempt starts over from the target checkpoint
 * after a back-off. Other failures stop the pipeline with their error.
 */
export class PipelineRunner {
  private readonly progress = new ProgressTracker();
  private state: PipelineStatus['state'] = 'starting';
  private lastError: FerryError | undefined;
  private stopRequested = false;
  private readonly stopped = new AbortController();
  private behind = false;
  private wakeConsumer: (() => void) | undefined;

  constructor(
    private readonly pipeline: RuntimePipeline,
    private readonly options: RunnerOptions,
  ) {}

  status(): PipelineStatus {
    const status = this.progress.snapshot(this.state, this.behind);
    if (this.lastError) status.error = { code: this.lastError.code, message: this.lastError.message };
    return status;
  }

  /** Asks for a clean stop: no new batch starts; the ones in flight commit. */
  stop(): void {
    this.stopRequested = true;
    this.stopped.abort();
    this.wakeConsumer?.();
  }

  async run(): Promise<void> {
    const log = this.options.log;
    let delay = this.pipeline.retry.initialDelayMs;
    let prechecked = false;
    while (!this.stopRequested) {
      const startedAt = Date.now();
      try {
        await this.attempt(!prechecked, () => (prechecked = true));
        this.state = 'stopped';
        return;
      } catch (error) {
        const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
        this.lastError = failure;
        if (!failure.retryable || this.stopRequested) {
          this.state = this.stopRequested ? 'stopped' : 'failed';
          if (this.stopRequested && failure.retryable) return;
          throw failure;
        }
        // An attempt that ran a while was healthy: start the back-off over.
        if (Date.now() - startedAt > 30_000) delay = this.pipeline.retry.initialDelayMs;
        this.state = 'retrying';
        log.warn({ code: failure.code, err: failure, retryInMs: delay }, 'pipeline attempt failed, retrying');
        await sleep(delay, undefined, { signal: this.stopped.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, this.pipeline.retry.maxDelayMs);
      }
    }
    this.state = 'stopped';
  }

  private async attempt(runPrechecks: boolean, prechecksPassed: () => void): Promise<void> {
    const { pipeline } = this;
    const log = this.options.log;
    const pool = createTargetPool(pipeline.target, pipeline.parallel + 2);
    let reader: BinlogReader | undefined;
    let loader: Loader | undefined;
    const source = await openSourceSession(pipeline.source).catch(async (error: unknown) => {
      await pool.end().catch(() => undefined);
      throw error;
    });
    try {
      const [versionRows] = await pool.query<RowDataPacket[]>('SELECT VERSION() AS version').catch((error: unknown) => {
        throw classifyTargetError(error, pipeline.target);
      });
      const targetFlavor = flavorOfVersion(String(versionRows[0]?.version ?? ''));
      const checkpoints = new CheckpointStore(targetFlavor, pipeline.systemSchema, pipeline.name, pipeline.epoch);
      const tables = new TargetTables(pool);
      loader = new Loader(
        { pool, flavor: targetFlavor, workers: pipeline.parallel, log, checkpoints, tables, errorPolicy: pipeline.errorPolicy, onCommitted: (batch) => this.progress.committed(batch) },
        checkpoints,
        tables,
      );
      const checkpoint = await loader.open().catch((error: unknown) => {
        throw classifyTargetError(error, pipeline.target);
      });
      if (checkpoint && pipeline.from) log.warn({ checkpoint: checkpoint.position }, 'checkpoint found on the target: --from is ignored');
      const from = pipeline.from ? sourcePositionOf(pipeline.from) : undefined;
      // Source queries: a connection lost here (a restarting source) is retried like any other.
      const onSource = <T>(work: Promise<T>): Promise<T> => work.catch((error: unknown) => {
        throw classifySourceError(error, pipeline.source);
      });
      const start: SourcePosition = checkpoint?.position ?? from ?? (await onSource(currentSourcePosition(source)));
      if (runPrechecks) {
        await onSource(runPipelinePrechecks(pipeline, source, pool, checkpoint?.position ?? from));
        prechecksPassed();
      }
      const knownTables = new Map((await onSource(replicatedTables(pipeline, source))).map((t) => [`${t.schema}\u0000${t.table}`, t]));
      this.progress.resumedAt(checkpoint?.position);
      log.info({ start, resumed: checkpoint !== undefined, epoch: pipeline.epoch }, 'pipeline starting');

      let readerFailure: FerryError | undefined;
      const queue = new TransactionQueue(pipeline.queue.maxRows, (paused) => (paused ? reader?.pause() : reader?.resume()));
      this.wakeConsumer = () => queue.wake();
      reader = new BinlogReader({
        endpoint: pipeline.source,
        serverId: pipeline.serverId,
        start,
        log,
        onTransaction: (transaction) => queue.push(transaction),
        onError: (error) => {
          readerFailure = error;
          queue.wake();
        },
      });
      await reader.start();
      this.state = 'running';
      this.lastError = undefined;

      const extractor = new Extractor(pipeline.mapping, this.options.hook);
      const builder = new BatchBuilder();
      let firstAfterResume = true;
      const flush = async (): Promise<void> => {
        const batch = builder.take();
        if (batch) await loader!.submit(batch);
      };
      for (;;) {
        if (readerFailure) throw readerFailure;
        if (loader.failed !== undefined) throw loader.failed;
        if (this.stopRequested) break;
        this.behind = queue.size > 0 || !builder.isEmpty || loader.pending > 0;
        const wait = builder.isEmpty ? 1_000 : builder.startedAt + pipeline.batch.maxDelayMs - Date.now();
        const transaction: SourceTransaction | undefined = wait > 0 ? await queue.take(wait) : undefined;
        if (!transaction) {
          if (!builder.isEmpty && Date.now() >= builder.startedAt + pipeline.batch.maxDelayMs) await flush();
          continue;
        }
        if (transaction.ddl) {
          await flush();
          await loader.drain();
          const changed = await applyDdl(transaction, { pipeline, pool, log, firstAfterResume, knownTables });
          for (const table of changed) tables.invalidate(table);
          // The position after the statement (and the rows of CREATE TABLE ... SELECT), in a batch of its own.
          builder.add(transaction, extractor.extract(transaction).map(transformChange));
          await flush();
          await loader.drain();
        } else {
          builder.add(transaction, extractor.extract(transaction).map(transformChange));
          if (builder.rows >= pipeline.batch.maxRows) await flush();
        }
        firstAfterResume = false;
      }
      await flush();
      await loader.drain();
      log.info({ position: this.progress.snapshot(this.state, false).position }, 'pipeline stopped');
    } finally {
      this.behind = false;
      this.wakeConsumer = undefined;
      await reader?.stop().catch(() => undefined);
      await loader?.settle();
      await source.connection.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
    }
  }
}

/** A user's --from as a stream position; the file of a GTID start arrives with the stream. */
function sourcePositionOf(from: StartPosition): SourcePosition {
  return from.kind === 'gtid' ? { file: '', pos: 4, gtidSet: from.gtidSet } : { file: from.file, pos: from.pos };
}
