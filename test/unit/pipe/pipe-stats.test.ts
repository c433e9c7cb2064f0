import { describe, expect, it } from 'vitest';
import { pipeStatsOf } from '../../../node/pipe/pipe-stats.ts';
import type { PipeSessionStats } from '../../../node/pipe/server-session.ts';

const session = (over: Partial<PipeSessionStats> = {}): PipeSessionStats => ({
  pipeline: 'p1', epoch: 3, peer: '10.0.0.1:5000', bytesReceived: 26_000, bytesSent: 400, bytesPerSecond: 1234.6,
  inFlightBatches: 2, inFlightBytes: 9_000, batchesAcked: 10, rttMs: 201.26, ending: false, ...over,
});

describe('pipeStatsOf', () => {
  it('gives the bytes per row change over the connection, the codec ratio, the round trip and the window', () => {
    expect(pipeStatsOf(session(), { rowChanges: 1000, wireBytes: 20_000, bodyBytes: 70_000 })).toEqual({
      bytesPerSecond: 1235, wireBytesPerRow: 26, compressionRatio: 3.5, rttMs: 201.3, inFlightBatches: 2,
    });
  });

  it('says null for what was not measured yet: no row, no payload, no heartbeat echo', () => {
    expect(pipeStatsOf(session({ rttMs: undefined }), { rowChanges: 0, wireBytes: 0, bodyBytes: 0 })).toEqual({
      bytesPerSecond: 1235, wireBytesPerRow: null, compressionRatio: null, rttMs: null, inFlightBatches: 2,
    });
  });
});
