import { CopyWindow } from '../../../node/copy/copy-window.ts';
import { describe, expect, it } from 'vitest';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { SelectedBatch } from '../../../node/pipeline/batch-channel.ts';
import { InProcessBatchChannel } from '../../../node/pipeline/in-process-channel.ts';
import { runLoadLoop, transformBatch, type LoadLoopContext } from '../../../node/pipeline/load-loop.ts';
import { FORMAT, INSERT_RP_T, MAP_RP_T } from '../load/replay-fixture.ts';

const pipeline = resolvePipeline({ name: 'p', source: 'mysql://u:p@127.0.0.1:1', target: 'mysql://u:p@127.0.0.2:1', tables: ['s.*'] });

const batch = (seq: number): SelectedBatch => ({
  seq,
  transactions: [{ end: { file: 'bin.1', pos: seq * 100 }, timestamp: 0, changes: [{ schema: 's', table: 't', kind: 'insert', columns: [], after: {} }] }],
  end: { file: 'bin.1', pos: seq * 100 },
  sourceTimestamp: 0,
  openedAt: 0,
  bytes: 1,
});

/** A loader whose batches never commit and never fail: a target that stopped answering. */
function stuckLoader(submitted: number[]): LoadLoopContext['loader'] {
  return {
    failed: undefined,
    submit: () => {
      submitted.push(1);
      return Promise.resolve();
    },
    drain: () => new Promise(() => undefined),
  } as unknown as LoadLoopContext['loader'];
}

describe('runLoadLoop', () => {
  it('closes the channel on an abort, so a select side waiting for room in the window ends too', async () => {
    const channel = new InProcessBatchChannel({ batches: 1, bytes: Number.POSITIVE_INFINITY });
    const submitted: number[] = [];
    let aborted = false;
    const loop = runLoadLoop({
      pipeline,
      channel,
      loader: stuckLoader(submitted),
      tables: { invalidate: () => undefined } as unknown as LoadLoopContext['tables'],
      pool: {} as LoadLoopContext['pool'],
      log: silentLogger(),
      submitted: () => undefined,
      aborted: () => aborted,
      onTarget: (work) => work,
      copyWindow: new CopyWindow(pipeline.mapping),
    });
    await channel.send(batch(1));
    await expect.poll(() => submitted.length).toBe(1);
    // No ack will come for batch 1: the second send waits for room.
    const waiting = channel.send(batch(2));
    aborted = true;
    await expect(waiting).rejects.toMatchObject({ code: 'FERRY_ERR_PIPELINE_ABORTED' });
    await loop;
  });
});

describe('transformBatch', () => {
  /** A change whose after image decodes on first read, counted, as the reader's lazy images (LazyRowChange). */
  const counted = (reads: { count: number }, id: number) => {
    const change = { schema: 'rp', table: 't', kind: 'insert' as const, columns: [{ name: 'id', typeCode: 3, columnType: 'int', charset: null, unsigned: false }] };
    let image: { id: number } | undefined;
    return Object.defineProperty(change, 'after', { get: () => (image ??= (reads.count++, { id })), enumerable: true });
  };
  const replayable = (reads: { count: number }): SelectedBatch => ({
    seq: 1,
    transactions: [{ end: { file: 'bin.1', pos: 100 }, timestamp: 0, changes: [counted(reads, 1), counted(reads, 2)], replay: { format: FORMAT, events: [MAP_RP_T, INSERT_RP_T] } }],
    end: { file: 'bin.1', pos: 100 },
    sourceTimestamp: 0,
    openedAt: 0,
    bytes: 1,
  });
  const mapping = resolvePipeline({ name: 'p', source: 'mysql://u:p@127.0.0.1:1', target: 'mysql://u:p@127.0.0.2:1', tables: ['rp.*'] }).mapping;

  it('leaves a batch that may be replayed untransformed (its images unread) until something reads its changes', () => {
    const reads = { count: 0 };
    const batch = transformBatch(replayable(reads), mapping);
    expect(batch.replay).toBeDefined();
    expect(batch.rows).toBe(2);
    expect(reads.count).toBe(0);
    // The SQL path, or the fallback, reads them: transformed then, once.
    expect(batch.changes.map((change) => change.after)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(batch.changes).toBe(batch.changes);
    expect(reads.count).toBe(2);
  });
});
