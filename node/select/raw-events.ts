import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FerryError } from '../../shared/errors/index.ts';

/**
 * The bytes of the binlog event zongji is handing out, as the source sent them (header, body,
 * checksum): what Load replays on the target (docs/replay.md).
 *
 * zongji (@vlasky/zongji 0.9.0, pinned) parses each binlog packet with a new Parser from
 * lib/reader.js and emits the event synchronously, within the same call. So the packet the
 * last Parser was given is the packet of the event being emitted: this module wraps
 * Parser.prototype.setPacket to remember it. A dump packet is a 0x00 marker followed by one
 * whole event (mysql2 joins packets of 16 MiB and more), so the event is the packet's
 * payload without its first byte.
 */

interface Mysql2Packet {
  buffer: Buffer;
  /** Where the payload starts (the marker byte) when the Parser gets it. */
  offset: number;
  end: number;
}

const zongjiDir = dirname(createRequire(import.meta.url).resolve('@vlasky/zongji'));
const reader = (await import(pathToFileURL(join(zongjiDir, 'lib', 'reader.js')).href)) as { Parser?: { prototype: { setPacket?: (packet: Mysql2Packet) => void } } };

let buffer: Buffer | undefined;
let start = 0;
let end = 0;
let installed = false;

/** Makes zongji's parser remember each packet. Idempotent. */
export function installRawEventCapture(): void {
  if (installed) return;
  const prototype = reader.Parser?.prototype;
  const setPacket = prototype?.setPacket;
  if (prototype === undefined || typeof setPacket !== 'function') {
    throw new FerryError('FERRY_ERR_INTERNAL', { detail: `@vlasky/zongji ${zongjiDir}: lib/reader.js no longer exports Parser with setPacket; check the pinned version` });
  }
  prototype.setPacket = function (this: unknown, packet: Mysql2Packet) {
    buffer = packet.buffer;
    start = packet.offset + 1;
    end = packet.end;
    setPacket.call(this, packet);
  };
  installed = true;
}

/**
 * A copy of the event being emitted (call it from zongji's 'binlog' listener, synchronously).
 * A copy, because the packet's buffer may be a read chunk shared with the events around it.
 */
export function currentEventBytes(): Buffer {
  if (buffer === undefined) throw new FerryError('FERRY_ERR_INTERNAL', { detail: 'no binlog packet seen yet (installRawEventCapture not called?)' });
  return Buffer.from(buffer.subarray(start, end));
}

/**
 * Where the event being parsed starts in `packetBuffer`, when that is the buffer of the packet
 * captured last (lazy row images keep offsets into the event's copy); undefined otherwise.
 */
export function currentEventStart(packetBuffer: Buffer): number | undefined {
  return packetBuffer === buffer ? start : undefined;
}
