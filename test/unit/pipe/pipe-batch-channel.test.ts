import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../../shared/errors/index.ts';
import type { ColumnInfo, SourceTransaction } from '../../../shared/model/change.ts';
import type { BatchReceiver, ResumeRequest, SelectedBatch } from '../../../node/pipeline/batch-channel.ts';
import { CHANNEL_KINDS, channelError, readBatchEnd, readResumeRequest, selectedBatchOf } from '../../../node/pipe/channel-payloads.ts';
import { PipeBatchSender, PipeServer, loadSideSink, type PipeBatchReceiver, type SourceStatus } from '../../../node/pipe/index.ts';
import { EPOCH, PIPELINE, SECRET, rejection, until } from './pipe-fixture.ts';

/**
 * The batch channel across the pipe, both ends in this process over a real connection:
 * everything the in-process channel passes crosses (the resume request and answer, batches
 * with their metadata, acks, the end, failures both ways with their codes).
 */

const columns: ColumnInfo[] = [
  { name: 'id', typeCode: 3, columnType: 'int(11)', charset: null, unsigned: false },
  { name: 'name', typeCode: 15, columnType: 'varchar(64)', charset: 'utf8mb4', unsigned: false },
];

function transaction(id: number, pos: number, extra: Partial<SourceTransaction> = {}): SourceTransaction {
  return {
    gtid: `0-1-${id}`,
    end: { file: 'bin.000002', pos, gtidSet: `0-1-${id}` },
    timestamp: 1_765_000_000_000 + id * 1000,
    bytes: 100 + id,
    changes: [{ kind: 'insert', schema: 'shop', table: 'orders', columns, after: { id, name: `order ${id}` } }],
    ...extra,
  };
}

function batchOf(seq: number, transactions: SourceTransaction[], extra: Partial<SelectedBatch> = {}): SelectedBatch {
  const last = transactions[transactions.length - 1]!;
  return { seq, transactions, end: last.end, sourceTimestamp: last.timestamp, openedAt: 1_765_000_123_456 + seq, bytes: transactions.reduce((sum, t) => sum + (t.bytes ?? 0), 0), ...extra };
}

interface Ends {
  server: PipeServer;
  sender: PipeBatchSender;
  receiver: () => PipeBatchReceiver;
  statuses: SourceStatus[];
  /** The load side's run over the receiver (its stream). */
  loaded: () => Promise<void>;
}

const servers: PipeServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A pipe server whose load side is `load` (given the receiver), and a sender to it. */
async function ends(load: (receiver: BatchReceiver) => Promise<void>): Promise<Ends> {
  let receiver: PipeBatchReceiver | undefined;
  let loaded: Promise<void> | undefined;
  const statuses: SourceStatus[] = [];
  const server = await PipeServer.listen({
    host: '127.0.0.1',
    port: 0,
    authorize: (pipeline, epoch) => (pipeline === PIPELINE && epoch === EPOCH ? SECRET : undefined),
    attach: (session, controls) => {
      const joined = loadSideSink(session, controls, load, { onSourceStatus: (status) => statuses.push(status) });
      receiver = joined.receiver;
      loaded = joined.loaded;
      loaded.catch(() => undefined);
      return joined.sink;
    },
  });
  servers.push(server);
  const sender = new PipeBatchSender({ client: { host: '127.0.0.1', port: server.address.port, pipeline: PIPELINE, epoch: EPOCH, secret: SECRET }, compression: 'brotli-1', statusMs: 20 });
  return { server, sender, receiver: () => receiver!, statuses, loaded: () => loaded! };
}

const request: ResumeRequest = { startIfNew: { file: 'bin.000002', pos: 4, gtidSet: '0-1-100' }, sameServerProbe: 'ferry_probe_abc' };
const point = { position: { file: 'bin.000002', pos: 1234, gtidSet: '0-1-7' }, resumed: true, epoch: 9 };

describe('batch channel over the pipe', () => {
  it('carries the resume request and answer, batches with their metadata, acks and the end', async () => {
    const requests: ResumeRequest[] = [];
    const received: SelectedBatch[] = [];
    const pipe = await ends(async (receiver) => {
      receiver.serveResume((asked) => {
        requests.push(asked);
        return Promise.resolve(point);
      });
      while (!receiver.ended) {
        const batch = await receiver.receive(1_000);
        if (batch) received.push(batch);
      }
    });
    const { sender } = pipe;
    expect(await sender.resumeAt(request)).toEqual(point);
    expect(requests).toEqual([request]);

    const first = batchOf(1, [transaction(1, 300), transaction(2, 400, { bytes: undefined })], { knownTables: [{ schema: 'shop', table: 'orders' }, { schema: 'shop', table: 'lines' }] });
    const second = batchOf(2, [transaction(3, 500)]);
    sender.heard(1_765_000_200_000);
    sender.setBehind(true);
    await sender.send(first);
    await sender.send(second);
    await until(() => received.length === 2);
    expect(received).toEqual([first, second]);
    expect('knownTables' in received[1]!).toBe(false);
    expect(pipe.statuses.at(-1)).toEqual({ heardAt: 1_765_000_200_000, behind: true });
    // Not acknowledged until the load side acks its batch (a commit).
    expect(sender.unacked).toBe(2);
    expect(sender.acknowledged).toBe(0);
    expect(pipe.receiver().pending).toBe(2);
    pipe.receiver().ack(1);
    expect(pipe.receiver().pending).toBe(1);
    await until(() => sender.unacked === 1);
    // The select side's sign of progress (the failure escalator's), as it commits nothing itself.
    expect(sender.acknowledged).toBe(1);
    pipe.receiver().ack(2);
    await until(() => sender.unacked === 0);
    expect(sender.acknowledged).toBe(2);

    // Idle: the source status crosses on its own.
    sender.heard(1_765_000_300_000);
    sender.setBehind(false);
    await until(() => pipe.statuses.at(-1)?.heardAt === 1_765_000_300_000);
    expect(pipe.statuses.at(-1)).toEqual({ heardAt: 1_765_000_300_000, behind: false });

    sender.end();
    await pipe.loaded();
    expect(await sender.close()).toBeUndefined();
  });

  it('raises a load-side refusal on the select side with its code', async () => {
    const pipe = await ends(async (receiver) => {
      receiver.serveResume(() => {
        const refused = new FerryError('FERRY_ERR_SOURCE_IS_TARGET', { pipeline: PIPELINE, source: 'a', target: 'b', identity: 'server 1' });
        receiver.fail(refused);
        return Promise.reject(refused);
      });
      await receiver.receive(60_000);
    });
    const error = await rejection(pipe.sender.resumeAt(request));
    expect(error.code).toBe('FERRY_ERR_SOURCE_IS_TARGET');
    expect(error.details).toMatchObject({ identity: 'server 1' });
    expect(pipe.sender.failure?.code).toBe('FERRY_ERR_SOURCE_IS_TARGET');
  });

  it('raises a select-side failure on the load side with its code', async () => {
    const pipe = await ends(async (receiver) => {
      receiver.serveResume(() => Promise.resolve(point));
      for (;;) await receiver.receive(1_000);
    });
    await pipe.sender.resumeAt(request);
    pipe.sender.fail(new FerryError('FERRY_ERR_SOURCE_UNREACHABLE', { endpoint: 'source:3306', detail: 'ECONNREFUSED' }));
    const error = await rejection(pipe.loaded());
    expect(error.code).toBe('FERRY_ERR_SOURCE_UNREACHABLE');
    expect(await pipe.sender.close()).toMatchObject({ code: 'FERRY_ERR_SOURCE_UNREACHABLE' });
  });

  it('ends the load side when the select side goes away without ending its stream', async () => {
    const pipe = await ends(async (receiver) => {
      receiver.serveResume(() => Promise.resolve(point));
      for (;;) await receiver.receive(1_000);
    });
    await pipe.sender.resumeAt(request);
    await pipe.sender.close();
    expect((await rejection(pipe.loaded())).code).toBe('FERRY_ERR_PIPE_CLOSED');
  });
});

describe('channel metadata mapping', () => {
  it('derives end, source time and bytes from the transactions, as BatchBuilder makes them', () => {
    const transactions = [transaction(1, 300), transaction(2, 400, { bytes: undefined }), transaction(3, 500)];
    const batch = selectedBatchOf({ seq: 4, openedAt: 77, status: { heardAt: 0, behind: false } }, transactions, 'peer');
    expect(batch).toEqual({ seq: 4, transactions, end: transactions[2]!.end, sourceTimestamp: transactions[2]!.timestamp, openedAt: 77, bytes: 101 + 103 });
    expect(() => selectedBatchOf({ seq: 5, openedAt: 1, status: { heardAt: 0, behind: false } }, [], 'peer')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }) as Error);
  });

  it('a batch of echoes (each header carries the flag) is an echo batch again on the load side', () => {
    const transactions = [{ ...transaction(1, 300), echo: true as const }, { ...transaction(2, 400), echo: true as const }];
    expect(selectedBatchOf({ seq: 4, openedAt: 77, status: { heardAt: 0, behind: false } }, transactions, 'peer').echo).toBe(true);
    expect(selectedBatchOf({ seq: 5, openedAt: 77, status: { heardAt: 0, behind: false } }, [transaction(3, 500)], 'peer').echo).toBeUndefined();
  });

  it('refuses malformed batch-ends and resume requests as protocol errors', () => {
    const bad = (text: string) => () => readBatchEnd(Buffer.from(text), 'peer');
    expect(bad('not json')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }) as Error);
    expect(bad('{"seq":1,"openedAt":2}')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }) as Error);
    expect(bad('{"seq":1,"openedAt":2,"status":{"heardAt":1,"behind":true},"knownTables":[{"schema":1}]}')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }) as Error);
    expect(() => readResumeRequest({ startIfNew: { file: 'x' } }, 'peer')).toThrow(expect.objectContaining({ code: 'FERRY_ERR_PIPE_PROTOCOL' }) as Error);
    expect(readResumeRequest({ startIfNew: { file: 'x', pos: 4 } }, 'peer')).toEqual({ startIfNew: { file: 'x', pos: 4 } });
    expect(CHANNEL_KINDS.batchEnd).toBeGreaterThanOrEqual(0x40);
  });

  it('turns a peer failure into the peer error, and leaves the pipe failures as they are', () => {
    const peer = new FerryError('FERRY_ERR_PIPE_PEER_FAILED', { peer: 'p:1', peerCode: 'FERRY_ERR_TARGET_WRITE', detail: 'x', peerDetails: { detail: 'lock lost' } });
    expect(channelError(peer)).toMatchObject({ code: 'FERRY_ERR_TARGET_WRITE', details: { detail: 'lock lost', pipePeer: 'p:1' } });
    const cut = new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: 'p:1', detail: 'ECONNRESET' });
    expect(channelError(cut)).toBe(cut);
    const unknown = new FerryError('FERRY_ERR_PIPE_PEER_FAILED', { peer: 'p:1', peerCode: 'unknown', detail: 'x' });
    expect(channelError(unknown)).toBe(unknown);
  });
});
