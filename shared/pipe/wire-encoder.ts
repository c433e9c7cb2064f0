import { crc32 } from 'node:zlib';
import { FerryError } from '../errors/index.ts';
import type { RowChange, SourceTransaction } from '../model/change.ts';
import { ALGORITHM_IDS, compressBody, DEFAULT_PIPE_COMPRESSION, parsePipeCompression, type PipeCompression } from './pipe-compression.ts';
import { WireWriter } from './wire-buffer.ts';
import { CONTROL_KINDS, HEADER_BYTES, MAX_BODY_BYTES, PAYLOAD_KINDS, RESET_TABLES, WIRE_VERSION } from './wire-format.ts';
import { MAX_TABLE_DEFINITIONS, TableIdWriter, type TableScope } from './wire-tables.ts';
import { writeChange, writeChanges, writeHeader, writeTransaction, type TransactionHeader } from './wire-transactions.ts';

export interface WireEncoderOptions {
  /** A pipe.compression setting ('brotli-1') or its parsed form. Default DEFAULT_PIPE_COMPRESSION. */
  compression?: string | PipeCompression;
  /** How long table ids live: one payload, or the connection. Default 'connection'. */
  tableScope?: TableScope;
}

/** Sizes of the last payload encoded, for the pipe's stats (wireBytesPerRow, compressionRatio). */
export interface EncodedSizes {
  bodyBytes: number;
  wireBytes: number;
  rowChanges: number;
}

/** Encodes the payloads of one connection, in the order they will be sent (wire-format.ts). */
export class WireEncoder {
  readonly compression: PipeCompression;
  readonly tableScope: TableScope;
  private readonly tables = new TableIdWriter();
  private started = false;
  private reset = false;
  lastSizes: EncodedSizes = { bodyBytes: 0, wireBytes: 0, rowChanges: 0 };

  constructor(options: WireEncoderOptions = {}) {
    const compression = options.compression ?? DEFAULT_PIPE_COMPRESSION;
    this.compression = typeof compression === 'string' ? parsePipeCompression(compression) : compression;
    this.tableScope = options.tableScope ?? 'connection';
  }

  encodeBatch(seq: number, transactions: SourceTransaction[]): Buffer {
    return this.guarded(() => {
      const out = this.begin();
      out.uvarint(seq);
      out.uvarint(transactions.length);
      let rows = 0;
      for (const transaction of transactions) {
        writeTransaction(out, this.tables, transaction);
        rows += transaction.changes.length;
      }
      return this.finish(PAYLOAD_KINDS.batch, out, rows, this.compression);
    });
  }

  /**
   * The last payload will not be sent (too large for the transport, say): the next one starts
   * the reader's table ids afresh, as ids it defined never reach the reader.
   */
  forget(): void {
    this.started = false;
  }

  /**
   * A payload that failed half-way (a value the format refuses) may have given table ids that
   * the reader will never see: the next payload starts the reader's ids afresh.
   */
  private guarded<T>(encode: () => T): T {
    try {
      return encode();
    } catch (error) {
      this.started = false;
      throw error;
    }
  }

  /**
   * One piece of a large transaction: `changes[from, to)`. Only the last piece carries the
   * header (`transaction`), so a sender may stream a transaction whose end it does not know yet.
   */
  encodePiece(seq: number, piece: number, changes: RowChange[], from: number, to: number, transaction?: TransactionHeader): Buffer {
    return this.guarded(() => {
      const out = this.begin();
      out.uvarint(seq);
      out.uvarint(piece);
      out.byte(transaction === undefined ? 0 : 1);
      writeChanges(out, this.tables, changes, from, to);
      if (transaction !== undefined) writeHeader(out, transaction);
      return this.finish(PAYLOAD_KINDS['transaction-piece'], out, to - from, this.compression);
    });
  }

  /** All pieces of a transaction at once (see pieces()). */
  encodeInPieces(seq: number, transaction: SourceTransaction, maxBodyBytes: number): Buffer[] {
    return [...this.pieces(seq, transaction, maxBodyBytes)];
  }

  /**
   * A whole transaction as pieces whose bodies stay near `maxBodyBytes`: a piece ends after
   * the change that reaches the bound, so a change wider than the bound goes alone. Lazy, so
   * a sender holds one encoded piece at a time while it waits for the window; it must send
   * each piece before encoding anything else with this encoder (table ids follow send order).
   */
  *pieces(seq: number, transaction: SourceTransaction, maxBodyBytes: number): Generator<Buffer, void, undefined> {
    const changes = transaction.changes;
    let from = 0;
    for (let piece = 0; from < changes.length || piece === 0; piece++) {
      const payload = this.guarded(() => this.piece(seq, piece, changes, from, maxBodyBytes, transaction));
      from = payload.to;
      yield payload.bytes;
    }
  }

  /** One piece: the changes from `from` up to the bound; the header too when they end the transaction. */
  private piece(seq: number, piece: number, changes: RowChange[], from: number, maxBodyBytes: number, transaction: SourceTransaction): { bytes: Buffer; to: number } {
    const out = this.begin();
    // Changes first in a writer of their own (the count goes before them); table ids are
    // defined in the same order the reader will meet them.
    const written = new WireWriter(Math.min(maxBodyBytes + 1024, 1024 * 1024));
    let to = from;
    while (to < changes.length && (to === from || written.length < maxBodyBytes)) writeChange(written, this.tables, changes[to++]!);
    const last = to === changes.length;
    out.uvarint(seq);
    out.uvarint(piece);
    out.byte(last ? 1 : 0);
    out.uvarint(to - from);
    out.fixed(written.bytes());
    if (last) writeHeader(out, headerOf(transaction));
    return { bytes: this.finish(PAYLOAD_KINDS['transaction-piece'], out, to - from, this.compression), to };
  }

  /** A control message of the transport: `type` in CONTROL_KINDS, body as given, never compressed here. */
  encodeControl(type: number, body: Buffer): Buffer {
    if (!Number.isInteger(type) || type < CONTROL_KINDS.first || type > CONTROL_KINDS.last) {
      throw new FerryError('FERRY_ERR_INTERNAL', { detail: `pipe control message type ${type} is outside ${CONTROL_KINDS.first}-${CONTROL_KINDS.last}` });
    }
    const out = new WireWriter(body.length + 16);
    out.fixed(body);
    // Control messages neither use nor reset table ids.
    return this.frame(type, out.bytes(), false, { algorithm: 'none', level: 0 }, 0);
  }

  private begin(): WireWriter {
    this.reset = this.tableScope === 'batch' || !this.started || this.tables.size > MAX_TABLE_DEFINITIONS;
    if (this.reset) this.tables.clear();
    this.started = true;
    return new WireWriter(64 * 1024);
  }

  private finish(kind: number, out: WireWriter, rowChanges: number, compression: PipeCompression): Buffer {
    return this.frame(kind, out.bytes(), this.reset, compression, rowChanges);
  }

  private frame(kind: number, body: Buffer, reset: boolean, compression: PipeCompression, rowChanges: number): Buffer {
    if (body.length > MAX_BODY_BYTES) {
      throw new FerryError('FERRY_ERR_INTERNAL', { detail: `a pipe payload body of ${body.length} bytes is above ${MAX_BODY_BYTES}; send the transaction in pieces` });
    }
    const compressed = compressBody(compression, body);
    const payload = Buffer.allocUnsafe(HEADER_BYTES + compressed.length);
    payload[0] = WIRE_VERSION;
    payload[1] = kind;
    payload[2] = reset ? RESET_TABLES : 0;
    payload[3] = ALGORITHM_IDS[compression.algorithm];
    payload.writeUInt32LE(body.length, 4);
    payload.writeUInt32LE(crc32(body, crc32(payload.subarray(0, 8))), 8);
    compressed.copy(payload, HEADER_BYTES);
    this.lastSizes = { bodyBytes: body.length, wireBytes: payload.length, rowChanges };
    return payload;
  }
}

function headerOf(transaction: SourceTransaction): TransactionHeader {
  const { changes: _changes, ...header } = transaction;
  return header;
}
