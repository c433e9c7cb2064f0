import { ERROR_CODES, FerryError, isFerryError, type ErrorCode } from '../../shared/errors/index.ts';
import type { SourcePosition, SourceTransaction, TableRef } from '../../shared/model/change.ts';
import type { CopyChunk, CopyRange, ResumePoint, ResumeRequest, SelectedBatch } from '../pipeline/batch-channel.ts';
import { checkCopyState, type CopyState } from '../copy/copy-state.ts';
import { fromWire } from '../verify/wire-keys.ts';
import { parseSourcePrecheckReport, ReportShapeError, type SourcePrecheckReport } from '../prechecks/index.ts';
import type { PipePosition } from './control-messages.ts';
import { protocolError } from './frames.ts';

/*
 * What a batch channel over the pipe sends besides transactions (pipe-batch-sender.ts,
 * pipe-batch-receiver.ts). Transactions travel as shared/pipe payloads (a batch, or a large
 * transaction's pieces); after them, in the same stream of payloads, a batch-end control
 * payload closes the channel batch with what the transactions do not say. The rest of a
 * SelectedBatch (end, sourceTimestamp, bytes) is its last transaction's end and timestamp and
 * the sum of the transactions' bytes, as BatchBuilder makes it, so it is derived, not sent.
 */

/** Control payload kinds (shared/pipe CONTROL_KINDS), bodies JSON. */
export const CHANNEL_KINDS = {
  /** Closes channel batch `seq`: BatchEndMessage. Acknowledged once the load side committed it. */
  batchEnd: 0x40,
  /** The select side's source status while no batch flows: SourceStatus. */
  status: 0x41,
  /** A clean end of the stream: no batch follows. */
  streamEnd: 0x42,
} as const;

/** The select side's view of its source, for the load side's lag. Times are wall-clock ms. */
export interface SourceStatus {
  /** When the source was last heard from (an event or a heartbeat); 0: not yet. */
  heardAt: number;
  /** Whether changes wait on the select side (queued, batched, or sent and not committed). */
  behind: boolean;
}

export interface BatchEndMessage {
  seq: number;
  /** Wall-clock ms the first transaction went into the batch: the load node's apply delay and lag bound. */
  openedAt: number;
  knownTables?: TableRef[];
  /** The select side's source status when the batch was sent. */
  status: SourceStatus;
  /** A batch of an online copy. */
  copy?: CopyChunk;
}

export function batchEndOf(batch: SelectedBatch, status: SourceStatus): BatchEndMessage {
  return { seq: batch.seq, openedAt: batch.openedAt, ...(batch.knownTables ? { knownTables: batch.knownTables } : {}), ...(batch.copy ? { copy: batch.copy } : {}), status };
}

/** The channel batch a batch-end closes, from the transactions that came before it. */
export function selectedBatchOf(message: BatchEndMessage, transactions: SourceTransaction[], peer: string): SelectedBatch {
  const last = transactions[transactions.length - 1];
  if (last === undefined) throw protocolError(peer, `batch ${message.seq} ended without a transaction`);
  let bytes = 0;
  for (const transaction of transactions) bytes += transaction.bytes ?? 0;
  return {
    seq: message.seq,
    transactions,
    end: last.end,
    sourceTimestamp: last.timestamp,
    openedAt: message.openedAt,
    bytes,
    ...(message.knownTables ? { knownTables: message.knownTables } : {}),
    ...(message.copy ? { copy: message.copy } : {}),
    // A batch is all echoes or none: each transaction's header carries the flag.
    ...(last.echo === true ? { echo: true as const } : {}),
  };
}

export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** A JSON object from a frame body (or an already parsed value); a protocol error for anything else. */
export function objectOf(body: Buffer | PipePosition, what: string, peer: string): Record<string, unknown> {
  let value: unknown = body;
  if (Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw protocolError(peer, `${what} that is not JSON`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw protocolError(peer, `${what} that is not a JSON object`);
  return value as Record<string, unknown>;
}

function numberIn(body: Record<string, unknown>, name: string, what: string, peer: string): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw protocolError(peer, `${what}: field ${name} must be a number >= 0`);
  return value;
}

function positionIn(body: Record<string, unknown>, name: string, what: string, peer: string): SourcePosition {
  const value = objectOf((body[name] ?? null) as PipePosition, `${what} ${name}`, peer);
  if (typeof value.file !== 'string' || typeof value.pos !== 'number' || (value.gtidSet !== undefined && typeof value.gtidSet !== 'string')) {
    throw protocolError(peer, `${what}: ${name} must be {file, pos, gtidSet?}`);
  }
  return { file: value.file, pos: value.pos, ...(value.gtidSet === undefined ? {} : { gtidSet: value.gtidSet }) };
}

function tablesIn(value: unknown, peer: string): TableRef[] {
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'object' && t !== null && typeof (t as TableRef).schema === 'string' && typeof (t as TableRef).table === 'string')) {
    throw protocolError(peer, 'batch-end: knownTables must be a list of {schema, table}');
  }
  return (value as TableRef[]).map((t) => ({ schema: t.schema, table: t.table }));
}

export function readSourceStatus(body: Buffer | PipePosition, peer: string): SourceStatus {
  const value = objectOf(body, 'a source status', peer);
  if (typeof value.behind !== 'boolean') throw protocolError(peer, 'a source status: field behind must be a boolean');
  return { heardAt: numberIn(value, 'heardAt', 'a source status', peer), behind: value.behind };
}

export function readBatchEnd(body: Buffer, peer: string): BatchEndMessage {
  const value = objectOf(body, 'a batch-end', peer);
  return {
    seq: numberIn(value, 'seq', 'a batch-end', peer),
    openedAt: numberIn(value, 'openedAt', 'a batch-end', peer),
    ...(value.knownTables === undefined ? {} : { knownTables: tablesIn(value.knownTables, peer) }),
    ...(value.copy === undefined ? {} : { copy: copyChunkIn(value.copy, peer) }),
    status: readSourceStatus((value.status ?? null) as PipePosition, peer),
  };
}

function copyStateIn(value: unknown, what: string, peer: string): CopyState {
  const state = checkCopyState(value);
  if (typeof state === 'string') throw protocolError(peer, `${what}: ${state}`);
  return state;
}

function copyChunkIn(value: unknown, peer: string): CopyChunk {
  const body = objectOf((value ?? null) as PipePosition, 'a batch-end copy', peer);
  const state = body.state === null ? null : copyStateIn(body.state, 'a batch-end copy', peer);
  if (body.clear === undefined) return { state };
  const clear = objectOf((body.clear ?? null) as PipePosition, 'a batch-end copy range', peer);
  const [table] = tablesIn([clear.table], peer);
  const keyColumns = clear.key;
  if (!Array.isArray(keyColumns) || keyColumns.some((c) => typeof c !== 'object' || c === null || typeof (c as { name?: unknown }).name !== 'string' || typeof (c as { typeCode?: unknown }).typeCode !== 'number')) {
    throw protocolError(peer, 'a batch-end copy range: key must be a list of columns');
  }
  for (const bound of ['after', 'upTo'] as const) {
    if (clear[bound] !== undefined && fromWire(clear[bound]) === undefined) throw protocolError(peer, `a batch-end copy range: ${bound} must be a key`);
  }
  return { state, clear: { ...(clear as unknown as CopyRange), table: table! } };
}

/** The resume request as the pipe carries it (PipeClientOptions.resumeRequest). */
export function resumeRequestJson(request: ResumeRequest): PipePosition {
  return {
    startIfNew: { ...request.startIfNew },
    ...(request.sameServerProbe === undefined ? {} : { sameServerProbe: request.sameServerProbe }),
    // The report is plain JSON data (strings, numbers, booleans, null, lists, objects).
    ...(request.prechecks === undefined ? {} : { prechecks: JSON.parse(JSON.stringify(request.prechecks)) as PipePosition }),
  };
}

/** The select side's resume request, checked field by field (the precheck report too). */
export function readResumeRequest(value: PipePosition, peer: string): ResumeRequest {
  const body = objectOf(value, 'a resume request', peer);
  const probe = body.sameServerProbe;
  if (probe !== undefined && typeof probe !== 'string') throw protocolError(peer, 'a resume request: sameServerProbe must be a string');
  let prechecks: SourcePrecheckReport | undefined;
  if (body.prechecks !== undefined) {
    try {
      prechecks = parseSourcePrecheckReport(body.prechecks);
    } catch (error) {
      if (!(error instanceof ReportShapeError)) throw error;
      throw protocolError(peer, `a resume request: ${error.message}`);
    }
  }
  return {
    startIfNew: positionIn(body, 'startIfNew', 'a resume request', peer),
    ...(probe === undefined ? {} : { sameServerProbe: probe }),
    ...(prechecks === undefined ? {} : { prechecks }),
  };
}

export function resumePointJson(point: ResumePoint): PipePosition {
  return { position: { ...point.position }, resumed: point.resumed, epoch: point.epoch, ...(point.copy === undefined ? {} : { copy: JSON.parse(JSON.stringify(point.copy)) as PipePosition }) };
}

export function readResumePoint(value: PipePosition, peer: string): ResumePoint {
  const body = objectOf(value, 'a resume answer', peer);
  if (typeof body.resumed !== 'boolean') throw protocolError(peer, 'a resume answer: field resumed must be a boolean');
  return {
    position: positionIn(body, 'position', 'a resume answer', peer), resumed: body.resumed, epoch: numberIn(body, 'epoch', 'a resume answer', peer),
    ...(body.copy === undefined ? {} : { copy: copyStateIn(body.copy, 'a resume answer', peer) }),
  };
}

/**
 * A failure as the channel raises it: a peer that gave up with a code of its own (the load
 * side refusing with FERRY_ERR_SOURCE_IS_TARGET, the select side losing its source) is that
 * error on this side too, as with both sides in one process, plus `pipePeer`; every other
 * failure of the pipe (cut, silent, protocol) stays as it is.
 */
export function channelError(error: unknown): FerryError {
  if (!isFerryError(error)) return new FerryError('FERRY_ERR_INTERNAL', { detail: String(error) }, { cause: error });
  if (error.code !== 'FERRY_ERR_PIPE_PEER_FAILED') return error;
  const { peerCode, peerDetails, peer } = error.details;
  if (typeof peerCode !== 'string' || !(peerCode in ERROR_CODES)) return error;
  const details = typeof peerDetails === 'object' && peerDetails !== null ? (peerDetails as Record<string, unknown>) : {};
  return new FerryError(peerCode as ErrorCode, { ...details, pipePeer: peer }, { cause: error });
}
