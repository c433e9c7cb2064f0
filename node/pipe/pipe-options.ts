import { FerryError } from '../../shared/errors/index.ts';
import { DEFAULT_WINDOW, type WindowLimits } from './flow-control.ts';

/** What both sides of a pipe tune; every field has a default. */
export interface PipeTuning {
  /** In-flight bounds this side keeps to (the two sides agree on the smaller of each). */
  window?: Partial<WindowLimits>;
  /** Largest batch payload. @default 4 MiB */
  maxBatchBytes?: number;
  /** Between heartbeats this side sends. @default 1000 */
  heartbeatMs?: number;
  /**
   * Silence (not a byte heard) after which the link counts as cut or half-open. At least
   * MISSED_HEARTBEATS of the peer's interval, whatever is set here. @default 5000
   */
  silenceMs?: number;
}

export interface ResolvedTuning {
  readonly window: WindowLimits;
  readonly maxBatchBytes: number;
  readonly heartbeatMs: number;
  readonly silenceMs: number;
}

export const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const DEFAULT_HEARTBEAT_MS = 1_000;
export const DEFAULT_SILENCE_MS = 5_000;
/** Control frames (everything but a batch) and any frame before authentication stay below this. */
export const CONTROL_FRAME_LIMIT = 64 * 1024;
/** A peer's heartbeat interval is believed up to this (it stretches our silence bound). */
export const MAX_PEER_HEARTBEAT_MS = 60_000;

/** Defaults filled in and checked once, frozen. A batch must fit the byte window alone, or it would wait forever. */
export function resolveTuning(tuning: PipeTuning = {}): ResolvedTuning {
  const window = { ...DEFAULT_WINDOW, ...tuning.window };
  const resolved = {
    window: Object.freeze(window),
    maxBatchBytes: tuning.maxBatchBytes ?? Math.min(DEFAULT_MAX_BATCH_BYTES, window.maxInFlightBytes),
    heartbeatMs: tuning.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    silenceMs: tuning.silenceMs ?? DEFAULT_SILENCE_MS,
  };
  const problems: string[] = [];
  for (const [name, value] of [['window.maxInFlightBatches', window.maxInFlightBatches], ['window.maxInFlightBytes', window.maxInFlightBytes], ['maxBatchBytes', resolved.maxBatchBytes], ['heartbeatMs', resolved.heartbeatMs], ['silenceMs', resolved.silenceMs]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) problems.push(`${name} must be a whole number >= 1 (got ${String(value)})`);
  }
  if (resolved.maxBatchBytes > window.maxInFlightBytes) problems.push(`maxBatchBytes (${resolved.maxBatchBytes}) must not exceed window.maxInFlightBytes (${window.maxInFlightBytes})`);
  if (resolved.maxBatchBytes > 0xffff_ffff - 16) problems.push('maxBatchBytes must stay below 4 GiB (the frame length is 32 bits)');
  if (problems.length > 0) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `pipe: ${problems.join('; ')}` });
  return Object.freeze(resolved);
}
