import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { FerryError } from '../../../shared/errors/index.ts';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { BatchReceiver, BatchSender, ResumePoint, SelectedBatch } from '../../../node/pipeline/batch-channel.ts';
import { InProcessBatchChannel } from '../../../node/pipeline/in-process-channel.ts';
import { LoadSide } from '../../../node/pipeline/load-side.ts';
import { joinSides } from '../../../node/pipeline/local-attempt.ts';
import { connectEndpoint } from '../../../node/pipeline/mysql-tls.ts';
import { SelectSide } from '../../../node/pipeline/select-side.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/**
 * The select side and the load side as two objects that share nothing but the channel: each
 * built from the pipeline alone, the select side holding only the sender's end, the load
 * side only the receiver's, and every batch copied on its way (structuredClone), as the pipe
 * between two nodes will. A small window (2 batches) makes the back-pressure work.
 */

const WINDOW = { batches: 2, bytes: 64 * 1024 };

/** A channel as two nodes would see it: each end apart, batches copied, the window watched. */
interface Seen {
  maxUnacked: number;
  batches: number;
  /** True while the select side waits in send() (for room in the window). */
  sending: boolean;
}

function wire(channel: InProcessBatchChannel, seen: Seen, answered: (point: ResumePoint) => void): { sender: BatchSender; receiver: BatchReceiver } {
  const sender: BatchSender = {
    resumeAt: async (request) => {
      const point = structuredClone(await channel.resumeAt(structuredClone(request)));
      answered(point);
      return point;
    },
    send: async (batch: SelectedBatch) => {
      seen.sending = true;
      await channel.send(structuredClone(batch)).finally(() => (seen.sending = false));
      seen.batches++;
      seen.maxUnacked = Math.max(seen.maxUnacked, channel.unacked);
    },
    get unacked() {
      return channel.unacked;
    },
    end: () => channel.end(),
    get failure() {
      return channel.failure;
    },
    fail: (error) => channel.fail(error),
  };
  const receiver: BatchReceiver = {
    serveResume: (answer) => channel.serveResume(answer),
    receive: (timeoutMs) => channel.receive(timeoutMs),
    get ended() {
      return channel.ended;
    },
    ack: (seq) => channel.ack(seq),
    get failure() {
      return channel.failure;
    },
    fail: (error) => channel.fail(error),
  };
  return { sender, receiver };
}

/** One run of both sides until stopped; resolves with where the select side was told to start. */
function startSides(pair: ReplicationPair, window = WINDOW, targetUrl = pair.target.url): { stop: () => Promise<void>; abort: () => Promise<unknown>; ended: Promise<void>; resumedAt: Promise<ResumePoint>; seen: Seen; channel: InProcessBatchChannel } {
  const spec = { name: pair.schema, source: pair.source.replicationUrl, target: targetUrl, tables: [`${pair.schema}.*`], batch: { maxRows: 20, maxDelayMs: 50 } };
  // Each side resolves the pipeline on its own, as each node will from its own assignment.
  const selectPipeline = resolvePipeline(spec);
  const loadPipeline = resolvePipeline(spec);
  let stopped = false;
  let aborted = false;
  const seen: Seen = { maxUnacked: 0, batches: 0, sending: false };
  const channel = new InProcessBatchChannel(window);
  let answered: (point: ResumePoint) => void = () => undefined;
  const resumedAt = new Promise<ResumePoint>((resolve) => (answered = resolve));
  const { sender, receiver } = wire(channel, seen, answered);
  // No raw events, as on a pipe's select side (node/pipe/select-over-pipe.ts): a batch copied
  // on its way carries decoded rows, and a replaying reader's images are accessors
  // (node/select/lazy-row-change.ts) that a structured clone does not copy.
  const select = new SelectSide(selectPipeline, connectEndpoint(selectPipeline.source, 'source'), { log: silentLogger(), stopRequested: () => stopped, aborted: () => aborted, captureReplay: false });
  const load = new LoadSide(loadPipeline, connectEndpoint(loadPipeline.target, 'target'), {
    log: silentLogger(),
    owner: { scope: 'run', id: `split-test/${randomBytes(4).toString('hex')}` },
    commitAllowed: () => {
      if (aborted) throw new Error('aborted');
    },
    aborted: () => aborted,
  });
  const running = (async () => {
    try {
      await select.open();
      await load.open();
      await joinSides(channel, () => select.stream(sender), () => load.stream(receiver), () => select.wake());
    } finally {
      await select.close();
      await load.close();
    }
  })();
  running.catch(() => undefined);
  return {
    resumedAt,
    seen,
    channel,
    // As PipelineRunner.abort() does: flags up, every connection cut; resolves with how the sides ended.
    ended: running,
    abort: () => {
      aborted = true;
      stopped = true;
      select.wake();
      load.sever();
      select.sever();
      return running.then(() => 'ended', (error: unknown) => error);
    },
    stop: async () => {
      stopped = true;
      select.wake();
      await running;
    },
  };
}

describe('select side and load side joined only by the channel', () => {
  it('replicate a mixed workload exactly, resume from the checkpoint after a stop, and keep the window', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const first = startSides(pair);
    onTestFinished(() => first.stop().catch(() => undefined));
    expect((await first.resumedAt).resumed).toBe(false);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 300, seed: 13 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await first.stop();
    expect(first.seen.batches).toBeGreaterThan(WINDOW.batches);
    expect(first.seen.maxUnacked).toBeLessThanOrEqual(WINDOW.batches);

    // Written while no side runs: read again from the checkpoint the load side answers with.
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 200, seed: 14 });
    const second = startSides(pair);
    onTestFinished(() => second.stop().catch(() => undefined));
    const resumed = await second.resumedAt;
    expect(resumed.resumed).toBe(true);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 15 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await second.stop();
    // The backlog filled the window (the select side waited on acks) and never overfilled it.
    expect(second.seen.maxUnacked).toBe(WINDOW.batches);
  });

  it('end both sides on an abort while the select side waits for room in the window', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const sides = startSides(pair, { batches: 1, bytes: Number.POSITIVE_INFINITY });
    onTestFinished(async () => {
      await sides.abort();
    });
    await sides.resumedAt;
    // The first batch waits on the table lock in the loader: it never commits, so no ack comes.
    await pair.target.connection.query(`LOCK TABLES \`${pair.schema}\`.items WRITE`);
    onTestFinished(async () => {
      await pair.target.connection.query('UNLOCK TABLES').catch(() => undefined);
    });
    const insert = (id: number) => pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES (?, 'x', 1, NULL, NOW(6))`, [id]);
    await insert(1);
    await expect.poll(() => sides.channel.unacked, { timeout: 120_000 }).toBe(1);
    // A batch of its own, sent once the first is out: it waits for room.
    await insert(2);
    await expect.poll(() => sides.seen.sending, { timeout: 120_000 }).toBe(true);
    // Both sides end (the cut batch's failure or the abort closes the channel): nothing hangs.
    expect(await sides.abort()).toBeInstanceOf(FerryError);
    // And the batch held in the loader rolled back: nothing reached the table.
    await pair.target.connection.query('UNLOCK TABLES');
    const [rows] = await pair.target.connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${pair.schema}\`.items`);
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('refuse a source and target that are one server, though neither side reaches the other server', async () => {
    const pair = await replicationPair();
    const { app } = inject('services').users;
    // The source's own server under another name: the load side writes here.
    const sameServer = `mysql://${app.user}:${app.password}@localhost:${pair.source.instance.port}`;
    const sides = startSides(pair, WINDOW, sameServer);
    await expect(sides.ended).rejects.toMatchObject({ code: 'FERRY_ERR_SOURCE_IS_TARGET' });
    // Refused before the claim: no checkpoint was written on the one server.
    const [rows] = await pair.source.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [pair.schema]).catch(() => [[{ n: 0 }] as RowDataPacket[]]);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
