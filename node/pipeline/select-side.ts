import type { Connection, RowDataPacket } from 'mysql2/promise';
import { newCopyState } from '../copy/copy-state.ts';
import { openCopySession, snapshotPosition } from '../copy/copy-source.ts';
import { sendCopy } from '../copy/copy-sender.ts';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { StartPosition } from '../../shared/config/pipeline-spec.ts';
import type { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { SourcePosition } from '../../shared/model/change.ts';
import { Extractor, type RowHook } from '../extract/extractor.ts';
import { MIRROR_KEEPALIVE_MS, MirrorFilter } from '../extract/mirror-filter.ts';
import { BinlogReader } from '../select/binlog-reader.ts';
import type { BatchSender, ResumePoint, ResumeRequest } from './batch-channel.ts';
import { settlePreferred, type ConnectEndpoint } from './mysql-tls.ts';
import { binlogPurgedAt, replicatedTables } from './pipeline-prechecks.ts';
import { runSelectLoop } from './select-loop.ts';
import { releaseProbe, takeProbe, type RowsOf } from './server-identity.ts';
import { onSourceOf, type Classified } from './side-errors.ts';
import { currentSourcePosition, openSourceSession, type SourceSession } from './source-session.ts';
import { severSocket } from './target-guard.ts';
import { TransactionQueue } from './transaction-queue.ts';

export interface SelectSideOptions {
  log: Logger;
  hook?: RowHook;
  /**
   * Keep the source's raw events for replay (SourceTransaction.replay). Off where the batches
   * cross the node-to-node pipe, which carries decoded rows only. @default true
   */
  captureReplay?: boolean;
  /** The source sent something: an event or a heartbeat. */
  onHeard?: () => void;
  /** Whether changes are waiting (queued, batched, or sent and not committed). */
  setBehind?: (behind: boolean) => void;
  /** Each attempt's queue, once made: how many rows it holds (ferry_pipeline_queue_rows). */
  onQueue?: (queuedRows: () => number) => void;
  /** The binlog stream is open, or an online copy began: the start-up is over. */
  onStreaming?: () => void;
  stopRequested: () => boolean;
  aborted: () => boolean;
  /**
   * A split pipeline's source prechecks (splitSelectPrechecks, preflight.ts): their report
   * goes in the resume request, and binlog_retention runs once the answer says where to start.
   * @default none: in one process the load side runs every check with this side's session
   */
  prechecks?: SelectPrechecks;
}

/** The select side's part of a split pipeline's prechecks (preflight.ts). */
export interface SelectPrechecks {
  /** Before the resume request: what it carries for the load side's checks. */
  report(session: SourceSession, startIfNew: SourcePosition): Promise<NonNullable<ResumeRequest['prechecks']>>;
  /** After the answer, before the binlog stream opens: throws to end the attempt. */
  answered(session: SourceSession, point: ResumePoint): Promise<void>;
}

/**
 * One attempt of a pipeline's select side: Select and Extract, next to the source. Opens a
 * session on the source, asks the channel where to start (telling it where a new pipeline
 * would start), reads the binlog from there, and sends batches of whole extracted source
 * transactions. It never connects to the target.
 */
export class SelectSide {
  private source: SourceSession | undefined;
  private sourceConnection: unknown;
  private reader: BinlogReader | undefined;
  private copyConnection: Connection | undefined;
  private queue: TransactionQueue | undefined;
  private settled: ConnectEndpoint | undefined;
  private readonly onSource: Classified;

  constructor(
    private readonly pipeline: RuntimePipeline,
    private readonly endpoint: ConnectEndpoint,
    private readonly options: SelectSideOptions,
  ) {
    this.onSource = onSourceOf(pipeline.source);
  }

  /** The source session, once open(): for the checks that need both servers (preflight.ts). */
  get session(): SourceSession | undefined {
    return this.source;
  }

  /** Settles the source's TLS and opens the SQL session. */
  async open(): Promise<void> {
    // PREFERRED is settled once per attempt: the server may have gained or lost TLS since.
    const endpoint = await settlePreferred(this.endpoint, 'source', this.options.log);
    this.settled = endpoint;
    this.source = await openSourceSession(endpoint, (connection) => (this.sourceConnection = connection));
  }

  /** Asks where to start, then streams until a stop, an abort, or a failure of the reader or the channel. */
  async stream(channel: BatchSender): Promise<void> {
    const { pipeline, options } = this;
    const { log } = options;
    const session = this.source!;
    // Where a new pipeline starts, read before the load side's claim pins it: rows written
    // once the claim is visible are never before it.
    // A copy starts where its snapshot is pinned (node/copy/copy-source.ts): the copied rows are
    // the source's state there or later, and the stream replays everything after it.
    const startIfNew: SourcePosition = pipeline.from && pipeline.from.kind !== 'end'
      ? sourcePositionOf(pipeline.from)
      : pipeline.initialCopy ? await this.onSource(snapshotPosition(await this.copySession())) : await this.onSource(currentSourcePosition(session));
    // Held on the source until the answer: the load side looks for it on the target.
    const rows: RowsOf = (sql, values) => this.onSource(session.connection.query<RowDataPacket[]>(sql, values).then(([found]) => found));
    const prechecks = options.prechecks === undefined ? undefined : await this.onSource(options.prechecks.report(session, startIfNew));
    const probe = await takeProbe(rows);
    const point = await channel.resumeAt({ startIfNew, ...(probe === undefined ? {} : { sameServerProbe: probe }), ...(prechecks === undefined ? {} : { prechecks }) });
    if (probe !== undefined) await releaseProbe(rows, probe);
    if (options.prechecks !== undefined) await this.onSource(options.prechecks.answered(session, point));
    const { resumed, epoch } = point;
    let start = point.position;
    log.info({ start, resumed, epoch, copy: point.copy === undefined ? undefined : point.copy.mode }, 'pipeline starting');
    let copy = point.copy;
    if (copy === undefined && resumed && pipeline.onPurgedBinlog === 'resync' && (await this.onSource(binlogPurgedAt(session, start)))) {
      // The binlog from the checkpoint on is gone: copy every table again from a new snapshot.
      start = await this.onSource(snapshotPosition(await this.copySession()));
      copy = newCopyState('resync', 0, 0);
      log.warn({ checkpoint: point.position, snapshot: start }, 'the source purged the binlog at the checkpoint: re-copying every table online (onPurgedBinlog: resync)');
    }
    let seq = 0;
    if (copy !== undefined && copy.until === undefined) {
      // The copy is the start-up's long part: the attempt is under way from here.
      options.onStreaming?.();
      const sent = await sendCopy({
        pipeline, connection: await this.copySession(), channel, extractor: new Extractor(pipeline.mapping, options.hook), start, state: copy,
        binlogEnd: () => currentSourcePosition(session), onSource: this.onSource, log,
        stopRequested: options.stopRequested, aborted: options.aborted,
      });
      seq = sent.seq;
      if (!sent.finished) {
        if (!options.aborted()) channel.end();
        return;
      }
    }
    await this.copyConnection?.end().catch(() => undefined);
    this.copyConnection = undefined;
    const knownTables = await this.onSource(replicatedTables(pipeline, session));

    const includeSchemas = pipeline.mapping.literalSourceSchemas();
    let readerFailure: FerryError | undefined;
    // Dropped before the queue: the mirror's transactions neither wait nor count as behind.
    const mirror = pipeline.bidirectional === undefined ? undefined : new MirrorFilter(pipeline.bidirectional.mirror, MIRROR_KEEPALIVE_MS, Date.now, pipeline.bidirectional.primary);
    const queue = new TransactionQueue({ rows: pipeline.queue.maxRows, bytes: pipeline.queue.maxBytes }, (paused) => (paused ? this.reader?.pause() : this.reader?.resume()));
    this.queue = queue;
    options.onQueue?.(() => queue.queuedRows);
    this.reader = new BinlogReader({
      endpoint: this.settled!,
      serverId: pipeline.serverId,
      start,
      // Row events of schemas no rule reads are skipped undecoded (statements are not: DDL
      // and statement-logged changes are classified whatever their schema).
      ...(includeSchemas === undefined ? {} : { includeSchemas }),
      replicates: (schema, table) => pipeline.mapping.mapTable(schema, table) !== undefined,
      // A bidirectional pipeline reads its mirror's marks: the mirror writes its checkpoints
      // on this source, in the same system schema (both pipelines of a channel share it).
      ...(pipeline.bidirectional === undefined ? {} : { markTable: { schema: pipeline.systemSchema, table: 'checkpoints' } }),
      // Raw events are kept only where Load may replay them: a hook may change rows (docs/replay.md).
      captureReplay: options.captureReplay !== false && pipeline.binlogReplay !== 'off' && options.hook === undefined,
      heartbeatMs: pipeline.liveness.heartbeatMs,
      silenceMs: pipeline.liveness.sourceSilenceMs,
      log,
      onHeard: () => options.onHeard?.(),
      onTransaction: (transaction) => {
        const admitted = mirror === undefined ? transaction : mirror.admit(transaction);
        if (admitted !== undefined) queue.push(admitted);
      },
      onError: (error) => {
        readerFailure = error;
        queue.wake();
      },
    });
    await this.reader.start();
    options.onStreaming?.();
    await runSelectLoop({
      pipeline,
      queue,
      channel,
      knownTables,
      firstSeq: seq + 1,
      extractor: new Extractor(pipeline.mapping, options.hook),
      readerFailure: () => readerFailure,
      stopRequested: options.stopRequested,
      aborted: options.aborted,
      setBehind: (behind) => options.setBehind?.(behind),
    });
  }

  /** The online copy's session (node/copy/copy-source.ts), opened on first use. */
  private async copySession(): Promise<Connection> {
    this.copyConnection ??= await openCopySession(this.settled!);
    return this.copyConnection;
  }

  /** Wakes the loop so that it notices a stop or a failure of the channel. */
  wake(): void {
    this.queue?.wake();
  }

  /** Cuts the source connections at once (an abort, a start-up without answer). */
  sever(reason?: string): void {
    if (this.sourceConnection) severSocket((this.sourceConnection as { connection: unknown }).connection, reason);
    if (this.copyConnection) severSocket((this.copyConnection as unknown as { connection: unknown }).connection, reason);
    void this.reader?.stop().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.reader?.stop().catch(() => undefined);
    await this.copyConnection?.end().catch(() => undefined);
    await this.source?.connection.end().catch(() => undefined);
  }
}

/** A user's --from as a stream position; the file of a GTID start arrives with the stream. */
function sourcePositionOf(from: Exclude<StartPosition, { kind: 'end' }>): SourcePosition {
  return from.kind === 'gtid' ? { file: '', pos: 4, gtidSet: from.gtidSet } : { file: from.file, pos: from.pos };
}
