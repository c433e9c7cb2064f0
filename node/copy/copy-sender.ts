import type { Connection } from 'mysql2/promise';
import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import type { Logger } from '../../shared/logging.ts';
import type { Row, RowChange, SourcePosition, SourceTransaction } from '../../shared/model/change.ts';
import type { Extractor } from '../extract/extractor.ts';
import type { BatchSender, CopyRange } from '../pipeline/batch-channel.ts';
import type { Classified } from '../pipeline/side-errors.ts';
import { fromWire, toWire } from '../verify/wire-keys.ts';
import { positionReached, type CopyState } from './copy-state.ts';
import { readChunk } from './copy-source.ts';
import { compareTables, copyTables, type CopyTable } from './copy-tables.ts';

export interface CopySenderContext {
  pipeline: RuntimePipeline;
  /** The copy's own session on the source (copy-source.ts). */
  connection: Connection;
  channel: BatchSender;
  extractor: Extractor;
  /** The copy's snapshot position: where every copy batch's checkpoint stands, and the stream starts. */
  start: SourcePosition;
  /** Where the copy stands (from the checkpoint, or a new one). */
  state: CopyState;
  /** The source's binlog end now. */
  binlogEnd: () => Promise<SourcePosition>;
  onSource: Classified;
  log: Logger;
  stopRequested: () => boolean;
  aborted: () => boolean;
}

const LONGLONG = 8;

/**
 * A copy chunk is this many batches' rows (batch.maxRows each): one read on the source and one
 * target transaction. Copied rows come in key order without merging or dependencies to track,
 * so larger transactions pay: measured on 1M narrow rows, 5,000-row chunks copied about twice
 * as fast as 1,000-row ones (docs/benchmarks.md, Full sync and verify).
 */
export const COPY_CHUNK_BATCHES = 5;

/**
 * The select side of an online copy: each replicated table, in order, by key chunks of
 * COPY_CHUNK_BATCHES × batch.maxRows rows, each chunk one channel batch of row images (through Extract, like
 * streamed rows) at the snapshot position, carrying the copy's state after it and the key range
 * it read. Then a batch that closes the copy with the binlog end: the stream replays from the
 * snapshot position to there with replacing writes. Returns the last batch sequence used, and
 * whether the copy reached its end (false: a stop or an abort came first).
 */
export async function sendCopy(context: CopySenderContext): Promise<{ seq: number; finished: boolean }> {
  const { pipeline, connection, channel, onSource, log } = context;
  const tables = await onSource(copyTables(pipeline, connection));
  let state: CopyState = { ...context.state };
  if (state.rows === 0 && state.table === undefined) {
    state = { ...state, tables: tables.length, estimatedRows: tables.reduce((sum, table) => sum + table.estimatedRows, 0) };
  }
  log.info({ mode: state.mode, tables: state.tables, estimatedRows: state.estimatedRows, copiedRows: state.rows, from: state.table }, 'online copy starting');
  let seq = 0;
  const chunkRows = pipeline.batch.maxRows * COPY_CHUNK_BATCHES;
  for (const table of tables) {
    const order = state.table === undefined ? 1 : compareTables(table.ref, state.table);
    // Tables before the one in progress are done (a table the state names but the source no longer has is passed by).
    if (order < 0 || (order === 0 && state.tableFinished === true)) continue;
    let after = order === 0 && state.after !== undefined ? typedKey(table, [...fromWire(state.after)!]) : undefined;
    for (;;) {
      if (context.aborted() || context.stopRequested()) return { seq, finished: false };
      if (channel.failure) throw channel.failure;
      const rows = await onSource(readChunk(connection, table, after, chunkRows));
      const last = rows.length > 0 ? table.key.map((column) => rows[rows.length - 1]![column]) : after;
      const done = rows.length < chunkRows;
      const range: CopyRange = { table: table.ref, key: keyColumns(table), ...(after === undefined ? {} : { after: toWire(after) }), ...(done || last === undefined ? {} : { upTo: toWire(last) }) };
      state = { ...state, table: table.ref, rows: state.rows + rows.length, tablesDone: state.tablesDone + (done ? 1 : 0), tableFinished: done };
      if (last === undefined) delete state.after;
      else state.after = toWire(last);
      const transaction: SourceTransaction = { end: context.start, timestamp: 0, changes: rows.map((row) => insertOf(table, row)), bytes: bytesOf(rows) };
      await channel.send({
        seq: ++seq,
        transactions: [context.extractor.transaction(transaction)],
        end: context.start,
        sourceTimestamp: 0,
        openedAt: Date.now(),
        bytes: transaction.bytes ?? 0,
        copy: { state, clear: range },
      });
      if (done) break;
      after = last;
    }
  }
  // Read after the last chunk: every transaction a chunk saw committed is in the binlog before it.
  const until = await onSource(context.binlogEnd());
  const replay = !positionReached(context.start, until);
  const closing: CopyState | null = replay ? { ...state, until } : null;
  await channel.send({ seq: ++seq, transactions: [{ end: context.start, timestamp: 0, changes: [], bytes: 0 }], end: context.start, sourceTimestamp: 0, openedAt: Date.now(), bytes: 0, copy: { state: closing } });
  log.info({ mode: state.mode, rows: state.rows, tables: state.tablesDone, until: replay ? until : undefined }, 'online copy sent: the stream replays the copy window');
  return { seq, finished: true };
}

function keyColumns(table: CopyTable) {
  return table.key.map((name) => table.columns.find((column) => column.name === name)!);
}

/** Key values as query parameters: BIGINTs beyond 2^53 (exact text) as BigInt, compared as integers, never as DOUBLE. */
function typedKey(table: CopyTable, values: unknown[]): unknown[] {
  return values.map((value, index) => {
    const column = table.columns.find((c) => c.name === table.key[index]);
    return column?.typeCode === LONGLONG && typeof value === 'string' ? BigInt(value) : value;
  });
}

function insertOf(table: CopyTable, row: Row): RowChange {
  return { schema: table.ref.schema, table: table.ref.table, kind: 'insert', after: row, columns: table.columns };
}

/** About the bytes the rows hold: what the channel's byte bound counts (binlog bytes for streamed rows). */
function bytesOf(rows: Row[]): number {
  let bytes = 0;
  for (const row of rows) {
    for (const value of Object.values(row)) bytes += typeof value === 'string' || Buffer.isBuffer(value) ? value.length + 2 : 8;
  }
  return bytes;
}
