import ZongJi from '@vlasky/zongji';
import type { BinlogEvent, MariadbGtidEvent } from '@vlasky/zongji';
import { binlogConnectionOptions, type BinlogEndpoint } from '../node/select/binlog-options.ts';
import { BinlogReader } from '../node/select/binlog-reader.ts';
import { currentEventBytes, installRawEventCapture } from '../node/select/raw-events.ts';
import { PIPELINE_DEFAULTS } from '../shared/config/pipeline-spec.ts';
import { silentLogger } from '../shared/logging.ts';
import type { SourceTransaction } from '../shared/model/change.ts';
import type { WrittenScenario } from './backlogs.ts';
import { reachedGtid } from './gtid-pos.ts';
import { totalRowChanges } from './segment-clock.ts';

/** Replica server ids of the capturing readers; distinct from Ferry's, the replicas' and the decode limit's. */
const SELECT_SERVER_ID = 4_242_002;
const ZONGJI_SERVER_ID = 4_242_003;
const LIMIT_MS = 600_000;
const ROW_EVENTS = new Set(['WriteRows', 'UpdateRows', 'DeleteRows']);
/** Event type codes (byte 4 of the header): TABLE_MAP_EVENT, and the row events v1 and v2. */
const TABLE_MAP_TYPE = 19;
const ROW_EVENT_TYPES = new Set([23, 24, 25, 30, 31, 32]);

/**
 * The emitted event's bytes, checked to be of the kind emitted: zongji emits a table map it
 * has to look up later than it parsed it, when the packet at hand may be another's.
 */
function eventBytes(types: Set<number>, name: string): Buffer {
  const bytes = currentEventBytes();
  if (!types.has(bytes[4]!)) throw new Error(`captured bytes of event type ${bytes[4]} for a ${name} event: raw-events.ts saw another packet`);
  return bytes;
}

/** One source transaction's table-map and row events, raw, how many rows they hold, and its scenario. */
export interface CapturedTransaction {
  events: Buffer[];
  rows: number;
  /** Index of its scenario in the backlog's. */
  scenario: number;
}

/** The scenario a GTID of the backlog belongs to: the first whose last GTID includes it. */
function scenarioOf(scenarios: WrittenScenario[], gtid: string | undefined): number {
  const index = gtid === undefined ? -1 : scenarios.findIndex((scenario) => reachedGtid(scenario.toGtid, gtid));
  if (index < 0) throw new Error(`captured transaction ${gtid} is outside the backlog`);
  return index;
}

/** The backlog's row events as the source sent them, for the target's row applier. */
export interface CapturedBacklog {
  /** The stream's Format_description event, raw. */
  format: Buffer;
  transactions: CapturedTransaction[];
  /** 'select': SourceTransaction.replay as Ferry's Select fills it; 'raw-events': captured here. */
  capturedBy: 'select' | 'raw-events';
}

/**
 * Ends when the backlog's last transaction has been captured, or fails. `finished` says the
 * capture is over: the stream goes on (the lag phase's probes) until the reader stops.
 */
function completion(): { done: Promise<void>; finish: () => void; fail: (error: Error) => void; finished: () => boolean } {
  let over = false;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (error: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const finish = (): void => {
    over = true;
    resolveDone();
  };
  const fail = (error: Error): void => {
    over = true;
    rejectDone(error);
  };
  return { done, finish, fail, finished: () => over };
}

/**
 * Through Ferry's own BinlogReader: the transactions' `replay` images. Undefined as soon as
 * a transaction with rows comes without one (a Select that does not fill it yet).
 */
async function captureBySelect(endpoint: BinlogEndpoint, schema: string, scenarios: WrittenScenario[]): Promise<CapturedBacklog | undefined> {
  const last = scenarios[scenarios.length - 1]!.toGtid;
  const transactions: CapturedTransaction[] = [];
  let format: Buffer | undefined;
  let missing = false;
  const { done, finish, fail, finished } = completion();
  const onTransaction = (transaction: SourceTransaction): void => {
    if (finished()) return;
    if (transaction.changes.length > 0) {
      if (transaction.replay === undefined) {
        missing = true;
        finish();
        return;
      }
      format ??= transaction.replay.format;
      transactions.push({ events: transaction.replay.events, rows: transaction.changes.length, scenario: scenarioOf(scenarios, transaction.gtid) });
    }
    if (reachedGtid(transaction.end.gtidSet, last)) finish();
  };
  const reader = new BinlogReader({ endpoint, serverId: SELECT_SERVER_ID, start: { file: '', pos: 4, gtidSet: scenarios[0]!.fromGtid }, includeSchemas: [schema], heartbeatMs: PIPELINE_DEFAULTS.heartbeatMs, silenceMs: PIPELINE_DEFAULTS.sourceSilenceMs, log: silentLogger(), onTransaction, onError: fail });
  const timer = setTimeout(() => fail(new Error(`the capturing reader did not reach ${last} within ${LIMIT_MS / 1000} s`)), LIMIT_MS);
  try {
    await reader.start();
    await done;
  } finally {
    clearTimeout(timer);
    await reader.stop();
  }
  if (missing || format === undefined) return undefined;
  return { format, transactions, capturedBy: 'select' };
}

/**
 * With zongji directly and node/select/raw-events.ts (as the design's prototype did): each
 * table-map and row event's bytes as it is emitted, grouped by the transaction's Xid.
 */
async function captureByRawEvents(endpoint: BinlogEndpoint, schema: string, scenarios: WrittenScenario[]): Promise<CapturedBacklog> {
  installRawEventCapture();
  const last = scenarios[scenarios.length - 1]!.toGtid;
  const transactions: CapturedTransaction[] = [];
  let format: Buffer | undefined;
  let current = { events: [] as Buffer[], rows: 0 };
  let gtid: string | undefined;
  const { done, finish, fail, finished } = completion();
  const zongji = new ZongJi(binlogConnectionOptions(endpoint));
  zongji.on('error', (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
  zongji.on('binlog', (event: BinlogEvent) => {
    if (finished()) return;
    try {
      onEvent(event);
    } catch (error) {
      // Not thrown into zongji's parser: the capture fails, the stream is stopped below.
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  });
  const onEvent = (event: BinlogEvent): void => {
    const name = event.getTypeName();
    if (name === 'Format') format ??= currentEventBytes();
    else if (name === 'MariadbGtid') {
      const g = event as MariadbGtidEvent;
      gtid = `${g.domainId}-${g.serverId}-${g.seqNo}`;
    } else if (name === 'TableMap') current.events.push(eventBytes(new Set([TABLE_MAP_TYPE]), name));
    else if (ROW_EVENTS.has(name)) {
      current.events.push(eventBytes(ROW_EVENT_TYPES, name));
      current.rows += (event as unknown as { rows: unknown[] }).rows.length;
    } else if (name === 'Xid') {
      if (current.rows > 0) transactions.push({ ...current, scenario: scenarioOf(scenarios, gtid) });
      current = { events: [], rows: 0 };
      if (gtid !== undefined && reachedGtid(gtid, last)) finish();
    }
  };
  const timer = setTimeout(() => fail(new Error(`the capturing zongji did not reach ${last} within ${LIMIT_MS / 1000} s`)), LIMIT_MS);
  try {
    zongji.start({ serverId: ZONGJI_SERVER_ID, includeEvents: ['format', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'mariadbgtid'], includeSchema: { [schema]: true }, gtidSet: scenarios[0]!.fromGtid });
    await done;
  } finally {
    clearTimeout(timer);
    await new Promise<void>((resolve) => {
      const stopTimer = setTimeout(resolve, 5_000);
      zongji.once('stopped', () => {
        clearTimeout(stopTimer);
        resolve();
      });
      zongji.stop();
    });
  }
  if (format === undefined) throw new Error('the binlog stream sent no Format_description event');
  return { format, transactions, capturedBy: 'raw-events' };
}

/**
 * The backlog's table-map and row events of `schema`'s tables, raw, per source transaction:
 * Select's replay images where it fills them, else captured with raw-events.ts. Fails unless
 * they hold exactly the backlog's row changes.
 */
export async function captureBacklogEvents(endpoint: BinlogEndpoint, schema: string, scenarios: WrittenScenario[]): Promise<CapturedBacklog> {
  const captured = (await captureBySelect(endpoint, schema, scenarios)) ?? (await captureByRawEvents(endpoint, schema, scenarios));
  const rows = captured.transactions.reduce((sum, t) => sum + t.rows, 0);
  if (rows !== totalRowChanges(scenarios)) throw new Error(`captured ${rows} row changes (${captured.capturedBy}), the backlog has ${totalRowChanges(scenarios)}`);
  return captured;
}
