import { expect, onTestFinished } from 'vitest';
import { BinlogReader, type BinlogReaderOptions } from '../../node/select/binlog-reader.ts';
import { silentLogger } from '../../shared/logging.ts';
import type { SourceTransaction } from '../../shared/model/change.ts';
import { patient } from './waits.ts';

/** A BinlogReader collecting what it reads, stopped when the test ends. */
export interface BinlogReading {
  reader: BinlogReader;
  received: SourceTransaction[];
  /** Waits until the transaction with this GTID was received (throws the reader's error). */
  until(gtid: string): Promise<void>;
}

/**
 * Reads a server's binlog from a GTID position with Ferry's reader, as a test of what Select
 * receives needs it. `replicationUrl`: the server's replication user; `options`: the reader's
 * other settings (schemas, mark table, captureReplay, ...).
 */
export async function readBinlog(
  replicationUrl: string,
  from: string,
  serverId: number,
  options: Omit<BinlogReaderOptions, 'endpoint' | 'serverId' | 'start' | 'heartbeatMs' | 'silenceMs' | 'log' | 'onTransaction' | 'onError'>,
): Promise<BinlogReading> {
  const url = new URL(replicationUrl);
  const received: SourceTransaction[] = [];
  let failure: Error | undefined;
  const reader = new BinlogReader({
    endpoint: { host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
    serverId,
    start: { file: '', pos: 4, gtidSet: from },
    ...options,
    heartbeatMs: 1_000,
    silenceMs: 60_000,
    log: silentLogger(),
    onTransaction: (t) => received.push(t),
    onError: (error) => (failure = error),
  });
  await reader.start();
  onTestFinished(() => reader.stop());
  return {
    reader,
    received,
    until: async (gtid) => {
      await expect
        .poll(() => {
          if (failure) throw failure;
          return received.some((t) => t.gtid === gtid);
        }, { timeout: patient(120_000), interval: 50 })
        .toBe(true);
    },
  };
}
