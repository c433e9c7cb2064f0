import ZongJi from '@vlasky/zongji';
import type { BinlogEvent, DeleteRowsEvent, MariadbGtidEvent, QueryEvent, RotateEvent, TableMapEvent, UpdateRowsEvent, WriteRowsEvent, XidEvent } from '@vlasky/zongji';
import { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ChangeKind, SourcePosition, SourceTransaction, TableRef } from '../../shared/model/change.ts';
import { gtidFlavorOf, parseGtidSet } from '../../shared/model/gtid.ts';
import { binlogColumns, type ZongjiTableMapEntry } from './binlog-columns.ts';
import { binlogConnectionOptions, type BinlogEndpoint } from './binlog-options.ts';
import { readEventHeader } from './event-header.ts';
import { currentEventBytes, installRawEventCapture } from './raw-events.ts';
import { installRowDecoder } from './row-decoder.ts';
import { SilenceWatch } from './silence-watch.ts';
import { classifySourceError } from './source-errors.ts';
import { installTableMapGuard } from './table-map-guard.ts';
import { TransactionAssembler, type AssemblerEvent } from './transaction-assembler.ts';

export interface BinlogReaderOptions {
  endpoint: BinlogEndpoint;
  /** Replica server id: unique per reader, or the source kicks the older one out. */
  serverId: number;
  /** Start after this point: by GTID set when it has one, else by file and offset. */
  start: SourcePosition;
  /** Only these schemas' row events are decoded (all when absent). */
  includeSchemas?: string[];
  /** Whether rows of a table are replicated (two-phase XA elsewhere is passed over). @default every table */
  replicates?: (schema: string, table: string) => boolean;
  /**
   * Ferry's checkpoint table on this source (`<systemSchema>.checkpoints`), decoded whatever
   * includeSchemas says: its rows are the marks of the pipelines that applied a transaction
   * (SourceTransaction.appliedBy), never changes. @default none (not read)
   */
  markTable?: TableRef;
  /**
   * Keep each transaction's raw table-map and row events (SourceTransaction.replay), for Load
   * to replay (docs/replay.md). Off when nothing would replay them: the copies cost memory.
   * @default true
   */
  captureReplay?: boolean;
  /**
   * Heartbeat period asked of the source (MASTER_HEARTBEAT_PERIOD through the dump
   * protocol): it sends one whenever the dump has had nothing to send for that long.
   */
  heartbeatMs: number;
  /** Silence (no bytes at all) after which the connection counts as broken: onError with FERRY_ERR_SOURCE_SILENT. */
  silenceMs: number;
  log: Logger;
  /** Something arrived from the source: an event or a heartbeat (local clock). @default none */
  onHeard?: () => void;
  onTransaction: (transaction: SourceTransaction) => void;
  /** Called once; the reader is dead afterwards and must be replaced. */
  onError: (error: FerryError) => void;
}

// zongji's row events decode through Ferry's faster reader (row-decoder.ts) in this process,
// a row event without its table map stops the reader (table-map-guard.ts), and the bytes of
// the event being emitted can be copied for replay (raw-events.ts).
installRowDecoder();
installTableMapGuard();
installRawEventCapture();

const EVENTS = ['rotate', 'format', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'query', 'gtid', 'mariadbgtid', 'transactionpayload', 'heartbeat'];

/**
 * Silence allowed until the stream delivers its first event or heartbeat. Before that the
 * source may be reading its way to the start position (a GTID resume scans the binlog file
 * from its head) and sends nothing, heartbeats included, however long that takes.
 */
const STARTUP_SILENCE_MS = 60_000;
const ROW_KINDS: Record<string, ChangeKind> = { WriteRows: 'insert', UpdateRows: 'update', DeleteRows: 'delete' };

/**
 * Reads a source binlog with zongji (the only module that does) and hands out whole
 * transactions in commit order. It never reconnects by itself: on error it reports once and
 * the owner starts a new reader after the last transaction it received.
 */
export class BinlogReader {
  private readonly zongji: ZongJi;
  private readonly assembler: TransactionAssembler;
  private paused = false;
  private failed = false;
  private stopped = false;
  /** Rejects a start() still waiting for the stream (set while one is under way). */
  private abandonStart: (() => void) | undefined;
  private watch: SilenceWatch | undefined;
  private streaming = false;

  constructor(private readonly options: BinlogReaderOptions) {
    this.zongji = new ZongJi(binlogConnectionOptions(options.endpoint));
    const gtidSet = options.start.gtidSet;
    this.assembler = new TransactionAssembler(
      options.start.file,
      gtidSet === undefined ? undefined : parseGtidSet(gtidFlavorOf(gtidSet || '0-0-0'), gtidSet),
      options.onTransaction,
      (dropped) => options.log.warn({ ...dropped }, 'uncommitted source transaction dropped'),
      options.replicates,
      options.markTable,
    );
  }

  /**
   * Resolves once the binlog stream is open. Errors after that go to onError. A stop() before
   * then rejects it with FERRY_ERR_BINLOG_STOPPED: zongji stopped while initialising emits
   * neither 'ready' nor 'error', and a start() left pending would hold its owner forever (a
   * runner aborted by a ROLLBACK as it started never ended, and its node never started the
   * pipeline's next epoch).
   */
  start(): Promise<void> {
    const { start, serverId, includeSchemas, markTable } = this.options;
    if (this.stopped) return Promise.reject(this.stoppedError());
    return new Promise((resolve, reject) => {
      let ready = false;
      this.abandonStart = () => {
        if (!ready) reject(this.stoppedError());
      };
      this.zongji.once('ready', () => {
        ready = true;
        resolve();
      });
      this.zongji.on('error', (error: unknown) => {
        const ferryError = classifySourceError(error, this.options.endpoint, describeStart(start));
        if (!ready) reject(ferryError);
        else this.fail(ferryError);
      });
      this.zongji.on('binlog', (event: BinlogEvent) => this.onEvent(event));
      this.zongji.start({
        serverId,
        includeEvents: EVENTS,
        ...(includeSchemas ? { includeSchema: includeSchemaFilter(includeSchemas, markTable) } : {}),
        ...(start.gtidSet !== undefined ? { gtidSet: start.gtidSet } : { filename: start.file, position: start.pos }),
      });
      this.watchConnection(reject, () => ready);
    });
  }

  /**
   * zongji opened its binlog connection synchronously in start() and queues the dump command
   * only after its own set-up queries, so a query issued now runs before the dump: the
   * heartbeat period is read from this session variable (nanoseconds) when the dump starts.
   * Every byte that arrives on the connection (events, heartbeats, replies) feeds the silence
   * watch; the watch runs from here on, so a path that dies during the set-up is noticed too.
   */
  private watchConnection(reject: (error: FerryError) => void, ready: () => boolean): void {
    const { endpoint, heartbeatMs, silenceMs } = this.options;
    const connection = this.zongji.connection as unknown as { query: (sql: string, callback: (error: unknown) => void) => void; stream?: { on(event: 'data', listener: () => void): void } } | null;
    if (!connection) return;
    const report = (error: FerryError) => {
      if (!ready()) reject(error);
      else this.fail(error);
    };
    connection.query(`SET @master_heartbeat_period = ${Math.round(heartbeatMs * 1_000_000)}`, (error) => {
      if (error) report(classifySourceError(error, endpoint));
    });
    this.watch = new SilenceWatch(Math.max(silenceMs, STARTUP_SILENCE_MS), (silentMs) => {
      this.options.log.warn({ silentMs, boundMs: silenceMs }, 'source silent: taking the connection as broken');
      report(new FerryError('FERRY_ERR_SOURCE_SILENT', { endpoint: `${endpoint.host}:${endpoint.port}`, silentMs }));
    });
    if (this.paused) this.watch.pause();
    connection.stream?.on('data', () => {
      this.watch?.heard();
      this.options.onHeard?.();
    });
  }

  /** Back-pressure: stop reading from the socket until resume(). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.watch?.pause();
    this.zongji.connection?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.watch?.resume();
    this.zongji.connection?.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abandonStart?.();
    this.watch?.stop();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      this.zongji.once('stopped', () => {
        clearTimeout(timer);
        resolve();
      });
      this.zongji.stop();
    });
  }

  private stoppedError(): FerryError {
    return new FerryError('FERRY_ERR_BINLOG_STOPPED', { host: this.options.endpoint.host, port: this.options.endpoint.port });
  }

  private fail(error: FerryError): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    this.watch?.stop();
    this.options.onError(error);
  }

  private onEvent(event: BinlogEvent): void {
    if (this.failed || this.stopped) return;
    // zongji resumes the socket after its own metadata look-ups; keep our pause in force.
    if (this.paused) this.zongji.connection?.pause();
    // The dump's opening Rotate comes before the source found the start position; anything
    // else (an event, a heartbeat) means it streams now, and silence is judged strictly.
    if (!this.streaming && event.getTypeName() !== 'Rotate') {
      this.streaming = true;
      this.watch?.setBound(this.options.silenceMs);
    }
    try {
      const translated = translate(event, this.options.captureReplay !== false);
      if (translated) this.assembler.push(translated);
    } catch (error) {
      this.fail(error instanceof FerryError ? error : classifySourceError(error, this.options.endpoint));
    }
  }
}

/**
 * zongji's includeSchema: whole schemas, plus the one mark table of the system schema (which
 * no table rule replicates, so it is never among the schemas).
 */
export function includeSchemaFilter(schemas: string[], markTable: TableRef | undefined): Record<string, true | string[]> {
  const filter: Record<string, true | string[]> = Object.fromEntries(schemas.map((schema) => [schema, true as const]));
  if (markTable !== undefined && filter[markTable.schema] !== true) filter[markTable.schema] = [markTable.table];
  return filter;
}

function describeStart(start: SourcePosition): string {
  return start.gtidSet !== undefined ? `GTID ${start.gtidSet || '(beginning)'}` : `${start.file}:${start.pos}`;
}

/**
 * The raw bytes of the table-map or row event being emitted, when they are that event: zongji
 * emits a table map whose columns it had to look up later, after a query of its own, and then
 * the last packet parsed need not be its own. Undefined keeps the transaction on the SQL path.
 */
function rawOf(kind: 'tablemap' | 'rows', tableId: number): Buffer | undefined {
  const raw = currentEventBytes();
  const header = readEventHeader(raw);
  return header?.kind === kind && header.tableId === tableId ? raw : undefined;
}

function translate(event: BinlogEvent, capture: boolean): AssemblerEvent | undefined {
  switch (event.getTypeName()) {
    case 'Rotate':
      return { type: 'rotate', file: (event as RotateEvent).binlogName };
    case 'Format':
      return capture ? { type: 'format', raw: currentEventBytes() } : undefined;
    case 'TableMap': {
      if (!capture) return undefined;
      const raw = rawOf('tablemap', (event as TableMapEvent).tableId);
      return raw === undefined ? { type: 'tablemap' } : { type: 'tablemap', raw };
    }
    case 'MariadbGtid': {
      const gtid = event as MariadbGtidEvent;
      return { type: 'gtid', gtid: `${gtid.domainId}-${gtid.serverId}-${gtid.seqNo}`, timestamp: event.timestamp, standalone: gtid.standalone };
    }
    case 'Gtid':
      return { type: 'gtid', gtid: event.gtid ?? '', timestamp: event.timestamp };
    case 'Xid':
      return { type: 'xid', timestamp: event.timestamp, nextPosition: (event as XidEvent).nextPosition };
    case 'Query': {
      const query = event as QueryEvent;
      return { type: 'query', sql: query.query, schema: query.schema, timestamp: event.timestamp, nextPosition: query.nextPosition };
    }
    case 'WriteRows':
    case 'UpdateRows':
    case 'DeleteRows': {
      const rows = event as WriteRowsEvent | UpdateRowsEvent | DeleteRowsEvent;
      const entry = rows.tableMap[rows.tableId] as unknown as ZongjiTableMapEntry | undefined;
      if (!entry) {
        throw new FerryError('FERRY_ERR_BINLOG_TRANSACTION', { position: String(event.nextPosition), detail: `row event for table id ${rows.tableId} without its table map` });
      }
      return {
        type: 'rows',
        kind: ROW_KINDS[event.getTypeName()]!,
        schema: entry.parentSchema,
        table: entry.tableName,
        columns: binlogColumns(entry),
        rows: rows.rows,
        timestamp: event.timestamp,
        bytes: event.size,
        raw: capture ? rawOf('rows', rows.tableId) : undefined,
      };
    }
    case 'TransactionPayload':
      // zongji cannot decode compressed MySQL transactions: refuse rather than skip rows.
      throw new FerryError('FERRY_ERR_BINLOG_UNSUPPORTED', { position: String(event.nextPosition), detail: 'compressed transaction (binlog_transaction_compression=ON on the source); turn it off' });
    default:
      return undefined;
  }
}
