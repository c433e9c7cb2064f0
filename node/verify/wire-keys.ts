import type { WireKey } from '../../shared/cluster/verify-jobs.ts';
import type { KeyValues } from './row-sql.ts';

/*
 * Keys as JSON, for the pipe and for job results in ZooKeeper. Verify's sessions read every
 * value as a string, a number or a Buffer (dateStrings, bigNumberStrings); a Buffer travels
 * as {hex} and comes back as a Buffer, so that it binds as the same bytes.
 */

export function toWire(key: KeyValues): WireKey {
  return key.map((value) => {
    if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
    if (typeof value === 'number' || typeof value === 'string' || value === null) return value;
    if (typeof value === 'bigint') return value.toString();
    return value === undefined ? null : JSON.stringify(value);
  });
}

/** A wire key as values to bind; undefined when it is not one (the caller refuses it). */
export function fromWire(value: unknown): KeyValues | undefined {
  if (!Array.isArray(value)) return undefined;
  const key: unknown[] = [];
  for (const part of value) {
    if (part === null || typeof part === 'string' || typeof part === 'number') key.push(part);
    else if (typeof part === 'object' && typeof (part as { hex?: unknown }).hex === 'string' && /^([0-9a-f]{2})*$/.test((part as { hex: string }).hex)) key.push(Buffer.from((part as { hex: string }).hex, 'hex'));
    else return undefined;
  }
  return key;
}
