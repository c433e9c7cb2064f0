import { describe, expect, it } from 'vitest';
import type { RuntimePipeline } from '../../../shared/config/load-pipeline-config.ts';
import type { SourceTransaction } from '../../../shared/model/change.ts';
import { Extractor } from '../../../node/extract/extractor.ts';
import { compileTableMapping } from '../../../shared/model/table-mapping.ts';
import type { BatchSender, SelectedBatch } from '../../../node/pipeline/batch-channel.ts';
import { runSelectLoop } from '../../../node/pipeline/select-loop.ts';
import type { TransactionQueue } from '../../../node/pipeline/transaction-queue.ts';

const columns = [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }];

function transaction(seq: number, echo: boolean): SourceTransaction {
  return {
    end: { file: 'bin.000001', pos: seq * 100 },
    timestamp: seq * 1000,
    changes: [{ schema: 's', table: 't', kind: 'insert', columns, after: { id: seq } }],
    bytes: 10,
    ...(echo ? { echo: true as const } : {}),
  };
}

describe('select loop: echoes', () => {
  it('a batch is all echoes or none: the open batch is sent when the next transaction is the other kind', async () => {
    const pending = [false, false, true, true, true, false].map((echo, i) => transaction(i + 1, echo));
    const sent: SelectedBatch[] = [];
    const queue = { get size() { return pending.length; }, take: async () => Promise.resolve(pending.shift()) } as unknown as TransactionQueue;
    const channel = { failure: undefined, unacked: 0, send: async (batch: SelectedBatch) => { sent.push(batch); return Promise.resolve(); }, end: () => undefined } as unknown as BatchSender;
    const extractor = new Extractor(compileTableMapping(['s.t']));
    const pipeline = { batch: { maxRows: 1000, maxBytes: 1 << 20, maxDelayMs: 60_000 } } as unknown as RuntimePipeline;
    await runSelectLoop({
      pipeline, queue, extractor, channel, knownTables: [],
      readerFailure: () => undefined, stopRequested: () => pending.length === 0, aborted: () => false, setBehind: () => undefined,
    });
    expect(sent.map((batch) => [batch.transactions.map((t) => t.end.pos / 100), batch.echo])).toEqual([[[1, 2], undefined], [[3, 4, 5], true], [[6], undefined]]);
  });
});
