import type { RowChange, SourceTransaction } from '../model/change.ts';
import type { TransactionHeader } from './wire-transactions.ts';

/**
 * The payloads the select side sends the load side over the node-to-node pipe. The transport
 * (node/pipe) frames each payload and owns flow control, acks and resume; shared/pipe owns what
 * is inside. A payload is a 12-byte header and a body:
 *
 *   0     wire format version (WIRE_VERSION); a reader refuses any other with
 *         FERRY_ERR_PIPE_WIRE_VERSION before reading further
 *   1     kind: 1 batch, 2 transaction piece; 0x40-0x7f control messages (the transport's own
 *         bodies, passed through as bytes); anything else is corrupt
 *   2     flags: bit 0 = the reader forgets its table ids first (wire-tables.ts)
 *   3     compression algorithm of the body (pipe-compression.ts)
 *   4-7   body length before compression, uint32 LE
 *   8-11  CRC-32 of bytes 0-7 and of the body before compression, uint32 LE: TLS may be
 *         off, and a flipped byte in a string or in the kind would otherwise arrive as a
 *         wrong value
 *   12-   the body, compressed
 *
 * Bodies: batch = seq, transaction count, transactions (header, then changes);
 * transaction piece = seq, piece number (0, 1, ...), last (0/1), changes, and on the last
 * piece the transaction's header. A source transaction too large for one payload goes as
 * pieces of one seq, in order; the load side keeps them until the last one (PieceAssembler)
 * or applies them in order inside one target transaction, and commits on the last.
 * Control bodies are the transport's bytes, uncompressed unless it compresses them itself.
 *
 * Payloads of one connection must be decoded in the order they were encoded, each once (TCP
 * gives that): with tableScope 'connection' a payload may use table ids an earlier one
 * defined. A new connection takes a new encoder and decoder.
 */

export const WIRE_VERSION = 1;
export const SUPPORTED_WIRE_VERSIONS: readonly number[] = [WIRE_VERSION];
export const HEADER_BYTES = 12;

export const PAYLOAD_KINDS = { batch: 1, 'transaction-piece': 2 } as const;
/** Kinds the transport may use for control messages (ack, resume, ...), bodies opaque here. */
export const CONTROL_KINDS = { first: 0x40, last: 0x7f } as const;

/** Header flag: the reader forgets its table ids before reading the body. */
export const RESET_TABLES = 1;

/** Bodies larger than this (before compression) are refused as corrupt: 256 MiB, far above any batch bound. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export interface BatchMessage {
  kind: 'batch';
  seq: number;
  transactions: SourceTransaction[];
}

export interface TransactionPieceMessage {
  kind: 'transaction-piece';
  seq: number;
  piece: number;
  last: boolean;
  changes: RowChange[];
  /** On the last piece only. */
  transaction?: TransactionHeader;
}

export interface ControlMessage {
  kind: 'control';
  type: number;
  body: Buffer;
}

export type WireMessage = BatchMessage | TransactionPieceMessage | ControlMessage;
