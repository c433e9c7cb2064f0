import { crc32 } from 'node:zlib';
import { FerryError } from '../errors/index.ts';
import type { SourceTransaction } from '../model/change.ts';
import { algorithmName, decompressBody } from './pipe-compression.ts';
import { corrupt, WireReader } from './wire-buffer.ts';
import { CONTROL_KINDS, HEADER_BYTES, MAX_BODY_BYTES, PAYLOAD_KINDS, RESET_TABLES, SUPPORTED_WIRE_VERSIONS, type WireMessage } from './wire-format.ts';
import { TableIdReader } from './wire-tables.ts';
import { readChanges, readHeader, readTransaction } from './wire-transactions.ts';

/**
 * Decodes the payloads of one connection, in the order they arrive (wire-format.ts). Any
 * payload it cannot read whole and exactly is FERRY_ERR_PIPE_WIRE_VERSION (another Ferry
 * version wrote it) or FERRY_ERR_PIPE_WIRE_CORRUPT (truncated, altered, out of order): the
 * caller drops the connection, and the select side resends from the load side's checkpoint.
 * After a corrupt payload the table ids are unknown, so this decoder refuses everything after.
 */
export interface WireDecoderOptions {
  /**
   * Largest body (before compression) accepted: checked before anything is inflated, so a
   * payload of a few bytes cannot make this node allocate more (a compression bomb). Set it
   * from the pipe's batch bound with room for the codec. Default MAX_BODY_BYTES (256 MiB).
   */
  maxBodyBytes?: number;
}

export class WireDecoder {
  /** Payload bytes decoded, and their bodies' bytes before compression: the codec's ratio. */
  readonly decoded = { wireBytes: 0, bodyBytes: 0 };
  private readonly tables = new TableIdReader();
  private broken: FerryError | undefined;
  private readonly maxBodyBytes: number;

  constructor(options: WireDecoderOptions = {}) {
    this.maxBodyBytes = Math.min(options.maxBodyBytes ?? MAX_BODY_BYTES, MAX_BODY_BYTES);
  }

  decode(payload: Buffer): WireMessage {
    if (this.broken) throw new FerryError('FERRY_ERR_PIPE_WIRE_CORRUPT', { detail: `an earlier payload of this connection was refused (${this.broken.message}); open a new connection` });
    try {
      return this.decodeOne(payload);
    } catch (error) {
      if (error instanceof FerryError && error.code === 'FERRY_ERR_PIPE_WIRE_CORRUPT') this.broken = error;
      throw error;
    }
  }

  private decodeOne(payload: Buffer): WireMessage {
    if (payload.length < 1) throw corrupt('the payload is empty');
    const version = payload[0]!;
    if (!SUPPORTED_WIRE_VERSIONS.includes(version)) {
      throw new FerryError('FERRY_ERR_PIPE_WIRE_VERSION', { version, supported: SUPPORTED_WIRE_VERSIONS.join(', ') });
    }
    if (payload.length < HEADER_BYTES) throw corrupt(`the payload has ${payload.length} bytes, less than its ${HEADER_BYTES}-byte header`);
    const kind = payload[1]!;
    const flags = payload[2]!;
    const algorithm = payload[3]!;
    const length = payload.readUInt32LE(4);
    const checksum = payload.readUInt32LE(8);
    if (flags > RESET_TABLES) throw corrupt(`unknown header flags ${flags}`);
    if (length > this.maxBodyBytes) throw corrupt(`the header announces a body of ${length} bytes, above the bound of ${this.maxBodyBytes}`);
    const body = decompressBody(algorithm, payload.subarray(HEADER_BYTES), length);
    this.decoded.wireBytes += payload.length;
    this.decoded.bodyBytes += HEADER_BYTES + body.length;
    if (crc32(body, crc32(payload.subarray(0, 8))) !== checksum) throw corrupt(`the CRC-32 of header and body does not match (kind ${kind}, ${length} bytes, ${algorithmName(algorithm)})`);
    if (kind >= CONTROL_KINDS.first && kind <= CONTROL_KINDS.last) return { kind: 'control', type: kind, body: Buffer.from(body) };
    if ((flags & RESET_TABLES) !== 0) this.tables.clear();
    const input = new WireReader(body);
    let message: WireMessage;
    switch (kind) {
      case PAYLOAD_KINDS.batch: {
        const seq = input.uvarint('a batch number');
        const count = input.count('a transaction count');
        const transactions: SourceTransaction[] = [];
        for (let i = 0; i < count; i++) transactions.push(readTransaction(input, this.tables));
        message = { kind: 'batch', seq, transactions };
        break;
      }
      case PAYLOAD_KINDS['transaction-piece']: {
        const seq = input.uvarint('a batch number');
        const piece = input.uvarint('a piece number');
        const last = input.byte('the last-piece flag');
        if (last > 1) throw corrupt(`last-piece flag ${last}`);
        const changes = readChanges(input, this.tables);
        message = last === 1 ? { kind: 'transaction-piece', seq, piece, last: true, changes, transaction: readHeader(input) } : { kind: 'transaction-piece', seq, piece, last: false, changes };
        break;
      }
      default:
        throw corrupt(`unknown payload kind ${kind}`);
    }
    if (!input.done) throw corrupt(`${body.length - input.offset} bytes follow the ${message.kind} body`);
    return message;
  }
}
