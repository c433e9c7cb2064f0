import type { PipeStatsRecord } from '../../shared/cluster/model.ts';
import type { PipeSessionStats } from './server-session.ts';

/** What a load side's receiver counted over its session (PipeBatchReceiver.received). */
export interface ReceivedCounts {
  rowChanges: number;
  /** Payload bytes, as they crossed (compressed). */
  wireBytes: number;
  /** The same payloads before compression. */
  bodyBytes: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * The pipe's figures for stats and the channel view, from the server session (bytes with
 * frames and heartbeats, rate, round trip, window) and the receiver's counts: bytes per row
 * change over the whole connection, and the codec's ratio (before / after compression).
 */
export function pipeStatsOf(session: PipeSessionStats, received: ReceivedCounts): PipeStatsRecord {
  return {
    bytesPerSecond: Math.round(session.bytesPerSecond),
    wireBytesPerRow: received.rowChanges > 0 ? round(session.bytesReceived / received.rowChanges, 1) : null,
    compressionRatio: received.wireBytes > 0 ? round(received.bodyBytes / received.wireBytes, 2) : null,
    rttMs: session.rttMs === undefined ? null : round(session.rttMs, 1),
    inFlightBatches: session.inFlightBatches,
  };
}
