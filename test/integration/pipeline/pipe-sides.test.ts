import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import type { PipelineSpecInput } from '../../../shared/config/pipeline-spec.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { ResumePoint } from '../../../node/pipeline/batch-channel.ts';
import { InProcessBatchChannel } from '../../../node/pipeline/in-process-channel.ts';
import { LoadSide } from '../../../node/pipeline/load-side.ts';
import { inProcessBounds, joinSides } from '../../../node/pipeline/local-attempt.ts';
import { connectEndpoint } from '../../../node/pipeline/mysql-tls.ts';
import { SelectSide } from '../../../node/pipeline/select-side.ts';
import { PipeBatchSender, PipeServer, loadSideSink, runSelectOverPipe, type SourceStatus } from '../../../node/pipe/index.ts';
import { WanProxy, mbitToBytesPerSecond } from '../../../services/wan-proxy.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/**
 * A select side and a load side joined by a real pipe (PipeClient → WanProxy → PipeServer on
 * 127.0.0.1) at 50 ms each way and 20 Mbit/s, as two nodes in two datacenters will be: each
 * side resolves the pipeline on its own, and the only thing between them is the TCP link.
 * A small batch bound (64 KiB) makes a large transaction cross in pieces.
 */

const EPOCH = 7;
const SECRET = randomBytes(32);
const MAX_BATCH_BYTES = 64 * 1024;
const TUNING = { maxBatchBytes: MAX_BATCH_BYTES, heartbeatMs: 500, silenceMs: 5_000 };

/** One pipe server (the load node) behind one WAN link; each attempt of the load side attaches to it. */
interface Link {
  server: PipeServer;
  proxy: WanProxy;
  /** The load side to start for the next session. */
  loadFor: ((session: { pipeline: string }) => LoadAttempt) | undefined;
}

interface LoadAttempt {
  load: LoadSide;
  statuses: SourceStatus[];
  loaded?: Promise<void>;
  /** Row changes of the largest batch committed in one target transaction. */
  largestCommit: number;
  /** Row changes committed. */
  rows: number;
}

let link: Link;

beforeAll(async () => {
  const server = await PipeServer.listen({
    host: '127.0.0.1',
    port: 0,
    ...TUNING,
    authorize: (_pipeline, epoch) => (epoch === EPOCH ? SECRET : { heldEpoch: EPOCH }),
    attach: (session, controls) => {
      const attempt = link.loadFor!(session);
      const { sink, loaded } = loadSideSink(session, controls, async (receiver) => {
        await attempt.load.open();
        try {
          await attempt.load.stream(receiver);
        } finally {
          await attempt.load.close();
        }
      }, { maxBatchBytes: MAX_BATCH_BYTES, onSourceStatus: (status) => attempt.statuses.push(status) });
      attempt.loaded = loaded;
      loaded.catch(() => undefined);
      return sink;
    },
  });
  const proxy = await WanProxy.start({ target: { host: '127.0.0.1', port: server.address.port }, delayMs: 50, rateBytesPerSecond: mbitToBytesPerSecond(20) });
  link = { server, proxy, loadFor: undefined };
});

afterAll(async () => {
  await link?.proxy.close();
  await link?.server.close();
});

interface Sides {
  resumedAt: Promise<ResumePoint>;
  /** Resolves once both sides ended: with undefined, or the select side's and the load side's errors. */
  ended: Promise<{ select: unknown; load: unknown }>;
  stop: () => Promise<void>;
  load: LoadAttempt;
  sender: PipeBatchSender;
}

/** Both sides of one attempt: a new client on the select side, a new session on the load side. */
function startSides(pair: ReplicationPair, overrides: Partial<PipelineSpecInput> = {}): Sides {
  const spec: PipelineSpecInput = { name: pair.schema, source: pair.source.replicationUrl, target: pair.target.url, tables: [`${pair.schema}.*`], batch: { maxRows: 20, maxDelayMs: 50 }, ...overrides };
  const selectPipeline = resolvePipeline(spec);
  const loadPipeline = resolvePipeline(spec);
  let stopped = false;
  const attempt: LoadAttempt = {
    statuses: [],
    largestCommit: 0,
    rows: 0,
    load: new LoadSide(loadPipeline, connectEndpoint(loadPipeline.target, 'target'), {
      log: silentLogger(),
      owner: { scope: 'run', id: `pipe-test/${randomBytes(4).toString('hex')}` },
      commitAllowed: () => undefined,
      onCommitted: (batch) => {
        attempt.largestCommit = Math.max(attempt.largestCommit, batch.changes.length);
        attempt.rows += batch.changes.length;
      },
      aborted: () => false,
    }),
  };
  link.loadFor = () => attempt;
  const sender: PipeBatchSender = new PipeBatchSender({
    client: { host: '127.0.0.1', port: link.proxy.port, pipeline: selectPipeline.name, epoch: EPOCH, secret: SECRET, ...TUNING },
    compression: selectPipeline.pipe.compression,
    onFailure: () => select.wake(),
  });
  const select: SelectSide = new SelectSide(selectPipeline, connectEndpoint(selectPipeline.source, 'source'), {
    log: silentLogger(),
    onHeard: () => sender.heard(),
    setBehind: (behind) => sender.setBehind(behind),
    stopRequested: () => stopped,
    aborted: () => false,
  });
  let answered: (point: ResumePoint) => void = () => undefined;
  const resumedAt = new Promise<ResumePoint>((resolve) => (answered = resolve));
  const selecting = (async () => {
    try {
      await select.open();
      await runSelectOverPipe(sender, async (channel) => select.stream({
        resumeAt: async (request) => {
          const point = await channel.resumeAt(request);
          answered(point);
          return point;
        },
        send: (batch) => channel.send(batch),
        get unacked() {
          return channel.unacked;
        },
        end: () => channel.end(),
        get failure() {
          return channel.failure;
        },
        fail: (error) => channel.fail(error),
      }));
    } finally {
      await select.close();
    }
  })();
  const ended = (async () => {
    const select = await selecting.then(() => undefined, (error: unknown) => error);
    // The load side started only if the select side reached the pipe.
    const load = attempt.loaded === undefined ? undefined : await attempt.loaded.then(() => undefined, (error: unknown) => error);
    return { select, load };
  })();
  return {
    resumedAt,
    ended,
    load: attempt,
    sender,
    stop: async () => {
      stopped = true;
      select.wake();
      const outcome = await ended;
      if (outcome.select !== undefined) throw outcome.select as Error;
      if (outcome.load !== undefined) throw outcome.load as Error;
    },
  };
}

/** The same pipeline whole in this process (the in-process channel), for the figures. */
async function runInProcess(pair: ReplicationPair, spec: PipelineSpecInput, until: () => Promise<void>): Promise<number> {
  const pipeline = resolvePipeline(spec);
  let stopped = false;
  let rows = 0;
  const select = new SelectSide(pipeline, connectEndpoint(pipeline.source, 'source'), { log: silentLogger(), stopRequested: () => stopped, aborted: () => false });
  const load = new LoadSide(pipeline, connectEndpoint(pipeline.target, 'target'), {
    log: silentLogger(),
    owner: { scope: 'run', id: `pipe-figures/${randomBytes(4).toString('hex')}` },
    commitAllowed: () => undefined,
    onCommitted: (batch) => (rows += batch.changes.length),
    aborted: () => false,
  });
  const running = (async () => {
    try {
      await select.open();
      await load.open();
      await joinSides(new InProcessBatchChannel(inProcessBounds(pipeline)), (sender) => select.stream(sender), (receiver) => load.stream(receiver), () => select.wake());
    } finally {
      await select.close();
      await load.close();
    }
  })();
  await until();
  stopped = true;
  select.wake();
  await running;
  return rows;
}

async function targetCount(pair: ReplicationPair): Promise<number> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${pair.schema}\`.items`);
  return Number(rows[0]?.n);
}

describe('select side and load side joined by the pipe across an emulated WAN', () => {
  it('replicate a mixed workload exactly, with the source status reaching the load side while idle', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const sides = startSides(pair);
    onTestFinished(() => sides.stop().catch(() => undefined));
    expect((await sides.resumedAt).resumed).toBe(false);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 400, seed: 31 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    // Caught up and idle: the select side's source heartbeats still reach the load side.
    const seen = sides.load.statuses.length;
    await expect.poll(() => sides.load.statuses.slice(seen).some((status) => !status.behind && status.heardAt > sides.load.statuses[seen - 1]!.heardAt), { timeout: 120_000 }).toBe(true);
    await sides.stop();
    const stats = link.proxy.stats();
    expect(stats.up.bytes).toBeGreaterThan(0);
  });

  // A cut (both ends see the connection end) and a blackhole (half-open: no bytes, no FIN) end
  // both sides with their codes; a restart of both resumes from the target's checkpoint.
  it.each([
    { fault: 'cut', code: 'FERRY_ERR_PIPE_CLOSED', seed: 32, apply: () => link.proxy.cut() },
    { fault: 'blackhole', code: 'FERRY_ERR_PIPE_SILENT', seed: 34, apply: () => link.proxy.blackhole() },
  ])('end both sides on a $fault ($code), and resume both from the target checkpoint with nothing lost or doubled', async ({ code, seed, apply }) => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const first = startSides(pair);
    onTestFinished(() => first.stop().catch(() => undefined));
    await first.resumedAt;
    const writing = runMixedWorkload(pair.source.connection, pair.schema, { transactions: 600, seed });
    // Mid-stream: some rows are on the target, more are coming.
    await expect.poll(() => targetCount(pair), { timeout: 180_000 }).toBeGreaterThan(20);
    apply();
    onTestFinished(() => link.proxy.heal());
    const outcome = await first.ended;
    expect(outcome.select).toBeInstanceOf(FerryError);
    expect((outcome.select as FerryError).code).toBe(code);
    expect((outcome.load as FerryError).code).toBe(code);
    link.proxy.heal();
    await writing;

    const second = startSides(pair);
    onTestFinished(() => second.stop().catch(() => undefined));
    expect((await second.resumedAt).resumed).toBe(true);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: seed + 1 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await second.stop();
  });

  it('carry a transaction larger than the batch bound in pieces and commit it whole', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const sides = startSides(pair);
    onTestFinished(() => sides.stop().catch(() => undefined));
    await sides.resumedAt;
    const rows = 3_000;
    await pair.source.connection.query('BEGIN');
    for (let from = 0; from < rows; from += 500) {
      const values = Array.from({ length: 500 }, (_, i) => [from + i, `item ${from + i}`, i, randomBytes(100).toString('hex'), '2026-12-07 09:00:00.000000']);
      await pair.source.connection.query(`INSERT INTO \`${pair.schema}\`.items VALUES ?`, [values]);
    }
    await pair.source.connection.query('COMMIT');
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    // It crossed as several payloads (the bound is 64 KiB, the rows are some 700 KB) ...
    expect(sides.sender.sent.pieces).toBeGreaterThan(3);
    // ... and committed in one target transaction.
    expect(sides.load.largestCommit).toBe(rows);
    await sides.stop();
  });

  it('refuse a source and target that are one server: the load side refuses, the select side hears its code', async () => {
    const pair = await replicationPair();
    const { app } = inject('services').users;
    // The source's own server under another name: the load side writes here.
    const sides = startSides(pair, { target: `mysql://${app.user}:${app.password}@localhost:${pair.source.instance.port}` });
    const outcome = await sides.ended;
    expect((outcome.select as FerryError).code).toBe('FERRY_ERR_SOURCE_IS_TARGET');
    expect((outcome.load as FerryError).code).toBe('FERRY_ERR_SOURCE_IS_TARGET');
  });

  // Figures for docs/split-pipelines.md, not a timed test: FERRY_PIPE_FIGURES=1 to run it.
  it.skipIf(process.env.FERRY_PIPE_FIGURES === undefined)('figures: one backlog through the in-process channel and through the pipe at 50 ms each way, 20 Mbit/s', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const [status] = await pair.source.connection.query<RowDataPacket[]>('SHOW MASTER STATUS');
    const from = `${String(status[0]!.File)}:${String(status[0]!.Position)}`;
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: Number(process.env.FERRY_PIPE_FIGURES_TRANSACTIONS ?? 3000), seed: 40, keySpace: 20_000 });
    const spec = (name: string): PipelineSpecInput => ({ name, source: pair.source.replicationUrl, target: pair.target.url, tables: [`${pair.schema}.*`], from });
    onTestFinished(async () => {
      await pair.target.connection.query('DELETE FROM _ferry.checkpoints WHERE pipeline IN (?, ?)', [`${pair.schema}-local`, `${pair.schema}-pipe`]).catch(() => undefined);
    });
    const converged = () => expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items', pair.schema, 600_000);

    let started = performance.now();
    const localRows = await runInProcess(pair, spec(`${pair.schema}-local`), converged);
    const localMs = performance.now() - started;

    await pair.target.connection.query(`TRUNCATE TABLE \`${pair.schema}\`.items`);
    const before = link.proxy.stats();
    started = performance.now();
    const sides = startSides(pair, spec(`${pair.schema}-pipe`));
    onTestFinished(() => sides.stop().catch(() => undefined));
    await converged();
    const pipeMs = performance.now() - started;
    const after = link.proxy.stats();
    const pipe = sides.sender.stats()!;
    await sides.stop();
    const up = after.up.bytes - before.up.bytes;
    const down = after.down.bytes - before.down.bytes;
    const figures = {
      rows: { local: localRows, pipe: sides.load.rows },
      rowsPerSecond: { local: Math.round(localRows / (localMs / 1000)), pipe: Math.round(sides.load.rows / (pipeMs / 1000)) },
      seconds: { local: Math.round(localMs) / 1000, pipe: Math.round(pipeMs) / 1000 },
      wan: { upBytes: up, downBytes: down, upBytesPerRow: Math.round((up / sides.load.rows) * 10) / 10, rttMs: pipe.rttMs, batches: sides.sender.sent.batches },
    };
    console.log(JSON.stringify(figures));
    expect(sides.load.rows).toBe(localRows);
  });
});
