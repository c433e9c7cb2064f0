import { FerryError } from '../errors/index.ts';

/**
 * Byte-level writer and reader of the pipe's wire format (wire-format.ts). Integers are
 * LEB128 varints (zigzag for signed ones), floats little-endian IEEE-754, strings UTF-8 with a
 * varint byte length. The reader checks every length against the bytes left, so a truncated
 * or corrupt body ends in FERRY_ERR_PIPE_WIRE_CORRUPT, never a read past the end.
 */

export class WireWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(initialBytes = 4096) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.at;
  }

  /** The bytes written so far (a view: copy it before writing on). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.at);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.at + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.at++] = value;
  }

  /** A non-negative safe integer. */
  uvarint(value: number): void {
    this.room(8);
    while (value >= 0x80) {
      this.buffer[this.at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.at++] = value;
  }

  /** A safe integer, zigzag: small magnitudes of either sign stay short. */
  svarint(value: number): void {
    this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  float64(value: number): void {
    this.room(8);
    this.buffer.writeDoubleLE(value, this.at);
    this.at += 8;
  }

  string(value: string): void {
    // At most 3 bytes per UTF-16 unit; write in place, then the length before it.
    const most = value.length * 3;
    this.room(most + 5);
    if (most < 0x80) {
      const written = this.buffer.write(value, this.at + 1, 'utf8');
      this.buffer[this.at] = written;
      this.at += 1 + written;
      return;
    }
    const written = Buffer.byteLength(value, 'utf8');
    this.uvarint(written);
    this.at += this.buffer.write(value, this.at, 'utf8');
  }

  raw(value: Uint8Array): void {
    this.room(value.length + 5);
    this.uvarint(value.length);
    this.buffer.set(value, this.at);
    this.at += value.length;
  }

  /** Bytes with no length in front (the caller knows it). */
  fixed(value: Uint8Array): void {
    this.room(value.length);
    this.buffer.set(value, this.at);
    this.at += value.length;
  }
}

export function corrupt(detail: string): FerryError {
  return new FerryError('FERRY_ERR_PIPE_WIRE_CORRUPT', { detail });
}

export class WireReader {
  private at: number;

  constructor(
    private readonly buffer: Buffer,
    start = 0,
    private readonly end = buffer.length,
  ) {
    this.at = start;
  }

  get offset(): number {
    return this.at;
  }

  get done(): boolean {
    return this.at === this.end;
  }

  private need(bytes: number, what: string): void {
    if (this.at + bytes > this.end) throw corrupt(`${what} runs past the end of the payload (offset ${this.at}, ${bytes} bytes wanted, ${this.end - this.at} left)`);
  }

  byte(what = 'a byte'): number {
    this.need(1, what);
    return this.buffer[this.at++]!;
  }

  uvarint(what = 'an integer'): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const byte = this.byte(what);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      // 8 groups of 7 bits hold 2^53; a longer run is no integer of ours.
      if (i === 7) throw corrupt(`${what} at offset ${this.at} is longer than any safe integer`);
    }
    if (value > Number.MAX_SAFE_INTEGER) throw corrupt(`${what} at offset ${this.at} is beyond 2^53`);
    return value;
  }

  svarint(what = 'an integer'): number {
    const zigzag = this.uvarint(what);
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  /** A count of items each taking at least one byte: bounded by the bytes left. */
  count(what: string): number {
    const value = this.uvarint(what);
    if (value > this.end - this.at) throw corrupt(`${what} ${value} exceeds the ${this.end - this.at} bytes left`);
    return value;
  }

  float64(what = 'a float'): number {
    this.need(8, what);
    const value = this.buffer.readDoubleLE(this.at);
    this.at += 8;
    return value;
  }

  string(what = 'a string'): string {
    const length = this.uvarint(what);
    this.need(length, what);
    const value = this.buffer.toString('utf8', this.at, this.at + length);
    this.at += length;
    return value;
  }

  /** A length-prefixed byte string, copied (the payload buffer is not kept alive by values). */
  raw(what = 'bytes'): Buffer {
    const length = this.uvarint(what);
    return this.fixed(length, what);
  }

  fixed(length: number, what = 'bytes'): Buffer {
    this.need(length, what);
    const value = Buffer.from(this.buffer.subarray(this.at, this.at + length));
    this.at += length;
    return value;
  }
}
