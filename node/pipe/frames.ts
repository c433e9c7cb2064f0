import { FerryError } from '../../shared/errors/index.ts';

/**
 * Frames of the node-to-node pipe: a 4-byte big-endian length, then that many bytes, the
 * first of which is the frame type. The length is checked against the reader's limit as soon
 * as its 4 bytes are in, before a byte of the body is kept: a peer that announces a huge frame
 * is refused without the memory it asked for.
 */
export const FrameType = {
  /** server → client, first: the protocol version and the nonce the client must prove over. */
  CHALLENGE: 0x01,
  /** client → server: pipeline, epoch, the client's nonce and its proof of the secret. */
  HELLO: 0x02,
  /** server → client: the server's proof of the secret and its limits. */
  HELLO_OK: 0x03,
  /** server → client: the hello is refused (FerryError code and details); the server closes. */
  REFUSE: 0x04,
  /** client → server: where should I start reading? */
  RESUME_REQUEST: 0x05,
  /** server → client: from this position (opaque here: the load side's checkpoint). */
  RESUME_AT: 0x06,
  /** client → server: sequence number (8 bytes) then the payload (opaque here). */
  BATCH: 0x07,
  /** server → client: the consumer is done with this batch and every one before it. */
  ACK: 0x08,
  /** either way: the sender's monotonic clock (float64); answered by HEARTBEAT_ACK. */
  HEARTBEAT: 0x09,
  /** either way: echoes a HEARTBEAT's clock value, so its sender measures the round trip. */
  HEARTBEAT_ACK: 0x0a,
  /** either way: the sender gives up (FerryError code and details) and closes. */
  ERROR: 0x0b,
  /** either way: the sender closes on purpose; an end without it is a failure. */
  BYE: 0x0c,
  /** server → client: a verify job's question about the source (JSON, node/pipe/verify-messages.ts). */
  VERIFY_REQUEST: 0x0d,
  /** client → server: its answer, by request id (JSON). */
  VERIFY_ANSWER: 0x0e,
} as const;

export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

const TYPE_NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, code]) => [code, name.toLowerCase().replaceAll('_', '-')]));

export function frameTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

export interface Frame {
  readonly type: FrameTypeCode;
  readonly body: Buffer;
}

/** Length prefix and type byte. */
export const FRAME_HEADER_BYTES = 5;
/** Sequence number in front of a batch's payload. */
export const SEQ_BYTES = 8;

/** The bytes of one frame on the wire. */
export function encodeFrame(type: FrameTypeCode, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  head.writeUInt32BE(body.length + 1, 0);
  head.writeUInt8(type, 4);
  return Buffer.concat([head, body]);
}

/** A frame whose body is JSON (control frames: small and readable in a capture). */
export function encodeJsonFrame(type: FrameTypeCode, value: unknown): Buffer {
  return encodeFrame(type, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** The header of a batch frame (the payload follows it unchanged, so it is never copied). */
export function batchHeader(seq: number, payloadBytes: number): Buffer {
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + SEQ_BYTES);
  head.writeUInt32BE(1 + SEQ_BYTES + payloadBytes, 0);
  head.writeUInt8(FrameType.BATCH, 4);
  head.writeBigUInt64BE(BigInt(seq), FRAME_HEADER_BYTES);
  return head;
}

/** A frame of one 8-byte value: a sequence number (ACK). */
export function encodeSeqFrame(type: FrameTypeCode, seq: number): Buffer {
  const body = Buffer.allocUnsafe(SEQ_BYTES);
  body.writeBigUInt64BE(BigInt(seq));
  return encodeFrame(type, body);
}

/** A frame of one float64: a clock value (HEARTBEAT, HEARTBEAT_ACK). */
export function encodeClockFrame(type: FrameTypeCode, clock: number): Buffer {
  const body = Buffer.allocUnsafe(8);
  body.writeDoubleBE(clock);
  return encodeFrame(type, body);
}

export function readSeq(body: Buffer, peer: string): number {
  if (body.length < SEQ_BYTES) throw protocolError(peer, `a sequence number needs ${SEQ_BYTES} bytes, the frame has ${body.length}`);
  const seq = body.readBigUInt64BE(0);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) throw protocolError(peer, `sequence number ${seq} is out of range`);
  return Number(seq);
}

export function readClock(body: Buffer, peer: string): number {
  if (body.length !== 8) throw protocolError(peer, `a heartbeat carries 8 bytes, this one ${body.length}`);
  return body.readDoubleBE(0);
}

export function protocolError(peer: string, detail: string): FerryError {
  return new FerryError('FERRY_ERR_PIPE_PROTOCOL', { peer, detail });
}

const KNOWN_TYPES = new Set<number>(Object.values(FrameType));

/**
 * Cuts a byte stream into frames. push() returns the frames completed by a chunk and throws
 * FERRY_ERR_PIPE_FRAME_TOO_LARGE on a length above the limit (checked on the 4 length bytes
 * alone), FERRY_ERR_PIPE_PROTOCOL on an empty frame or an unknown type.
 */
export class FrameReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the frame being read (type byte included), once its prefix is in. */
  private expected: number | undefined;

  constructor(private limit: number, private readonly peer: string) {}

  /** The limit applies from the next frame on (a peer is allowed big frames once authenticated). */
  setLimit(limit: number): void {
    this.limit = limit;
  }

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < 4) return frames;
        const length = this.take(4).readUInt32BE(0);
        if (length > this.limit) throw new FerryError('FERRY_ERR_PIPE_FRAME_TOO_LARGE', { peer: this.peer, bytes: length, limit: this.limit });
        if (length === 0) throw protocolError(this.peer, 'a frame of length 0 (no type byte)');
        this.expected = length;
      }
      if (this.buffered < this.expected) return frames;
      const frame = this.take(this.expected);
      this.expected = undefined;
      const type = frame.readUInt8(0);
      if (!KNOWN_TYPES.has(type)) throw protocolError(this.peer, `unknown frame type ${frameTypeName(type)}`);
      frames.push({ type: type as FrameTypeCode, body: frame.subarray(1) });
    }
  }

  /** The first `bytes` buffered bytes, copied only when they span chunks. */
  private take(bytes: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= bytes) {
      const taken = first.subarray(0, bytes);
      if (first.length === bytes) this.chunks.shift();
      else this.chunks[0] = first.subarray(bytes);
      this.buffered -= bytes;
      return taken;
    }
    const taken = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length, bytes - filled);
      chunk.copy(taken, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    this.buffered -= bytes;
    return taken;
  }
}
