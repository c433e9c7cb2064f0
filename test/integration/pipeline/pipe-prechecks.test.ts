import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolvePipeline } from '../../../shared/config/load-pipeline-config.ts';
import type { PipelineSpecInput } from '../../../shared/config/pipeline-spec.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import type { ResumePoint } from '../../../node/pipeline/batch-channel.ts';
import { LoadSide } from '../../../node/pipeline/load-side.ts';
import { connectEndpoint } from '../../../node/pipeline/mysql-tls.ts';
import { PipelineRunner } from '../../../node/pipeline/pipeline-runner.ts';
import { splitPrechecksBeforeClaim, splitSelectPrechecks } from '../../../node/pipeline/preflight.ts';
import { SelectSide } from '../../../node/pipeline/select-side.ts';
import { PipeBatchSender, PipeServer, loadSideSink, runSelectOverPipe } from '../../../node/pipe/index.ts';
import { WanProxy } from '../../../services/wan-proxy.ts';
import { replicationPair, type ReplicationPair } from '../../support/mariadb.ts';
import { scratchTestDatabase } from '../../support/scratch-mariadb.ts';
import { expectTablesConverge } from '../../support/tables.ts';
import { ITEMS_TABLE, runMixedWorkload } from '../../support/workload.ts';

/**
 * The prechecks of a split pipeline across a real pipe (PipeClient → WanProxy → PipeServer on
 * 127.0.0.1, 20 ms each way): the select side runs the source's checks and sends their report
 * in its resume request, the load side runs the target's checks and the comparisons before its
 * claim. Each side resolves the pipeline on its own; only the TCP link is between them. A
 * refusal must be the error a whole pipeline gives, on both sides, with no checkpoint left.
 */

const EPOCH = 3;
const SECRET = randomBytes(32);
const TUNING = { heartbeatMs: 500, silenceMs: 5_000 };

let server: PipeServer;
let proxy: WanProxy;
/** The load side to start for the next session. */
let nextLoad: ((receiver: Parameters<Parameters<typeof loadSideSink>[2]>[0]) => Promise<void>) | undefined;
let loaded: Promise<void> | undefined;

beforeAll(async () => {
  server = await PipeServer.listen({
    host: '127.0.0.1',
    port: 0,
    ...TUNING,
    authorize: (_pipeline, epoch) => (epoch === EPOCH ? SECRET : { heldEpoch: EPOCH }),
    attach: (session, controls) => {
      const joined = loadSideSink(session, controls, nextLoad!);
      loaded = joined.loaded;
      loaded.catch(() => undefined);
      return joined.sink;
    },
  });
  proxy = await WanProxy.start({ target: { host: '127.0.0.1', port: server.address.port }, delayMs: 20 });
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

interface Sides {
  resumedAt: Promise<ResumePoint>;
  /** Both sides' ends: undefined, or each side's error. */
  ended: Promise<{ select: unknown; load: unknown }>;
  stop: () => Promise<void>;
  /** Which sides were told their prechecks passed. */
  passed: { select: boolean; load: boolean };
}

function specOf(pair: ReplicationPair, overrides: Partial<PipelineSpecInput> = {}): PipelineSpecInput {
  return { name: pair.schema, source: pair.source.replicationUrl, target: pair.target.url, tables: [`${pair.schema}.*`], batch: { maxRows: 20, maxDelayMs: 50 }, ...overrides };
}

/** A split pipeline's two sides with their prechecks, joined by the pipe; `spec` per side. */
function startSides(selectSpec: PipelineSpecInput, loadSpec: PipelineSpecInput = selectSpec, selectChecks = true): Sides {
  const selectPipeline = resolvePipeline(selectSpec);
  const loadPipeline = resolvePipeline(loadSpec);
  const passed = { select: false, load: false };
  let stopped = false;
  const load = new LoadSide(loadPipeline, connectEndpoint(loadPipeline.target, 'target'), {
    log: silentLogger(),
    owner: { scope: 'run', id: `pipe-prechecks/${randomBytes(4).toString('hex')}` },
    commitAllowed: () => undefined,
    beforeClaim: splitPrechecksBeforeClaim(loadPipeline, () => (passed.load = true)),
    aborted: () => false,
  });
  loaded = undefined;
  nextLoad = async (receiver) => {
    await load.open();
    try {
      await load.stream(receiver);
    } finally {
      await load.close();
    }
  };
  const sender: PipeBatchSender = new PipeBatchSender({
    client: { host: '127.0.0.1', port: proxy.port, pipeline: selectPipeline.name, epoch: EPOCH, secret: SECRET, ...TUNING },
    compression: selectPipeline.pipe.compression,
    onFailure: () => select.wake(),
  });
  const select: SelectSide = new SelectSide(selectPipeline, connectEndpoint(selectPipeline.source, 'source'), {
    log: silentLogger(),
    onHeard: () => sender.heard(),
    setBehind: (behind) => sender.setBehind(behind),
    stopRequested: () => stopped,
    aborted: () => false,
    ...(selectChecks ? { prechecks: splitSelectPrechecks(selectPipeline, () => (passed.select = true)) } : {}),
  });
  let answered: (point: ResumePoint) => void = () => undefined;
  const resumedAt = new Promise<ResumePoint>((resolve) => (answered = resolve));
  const selecting = (async () => {
    try {
      await select.open();
      await runSelectOverPipe(sender, (channel) => select.stream({
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
    const selectError = await selecting.then(() => undefined, (error: unknown) => error);
    // The load side started only if the select side reached the pipe.
    const session = loaded as Promise<void> | undefined;
    const loadError = session === undefined ? undefined : await session.then(() => undefined, (error: unknown) => error);
    return { select: selectError, load: loadError };
  })();
  return {
    resumedAt,
    ended,
    passed,
    stop: async () => {
      stopped = true;
      select.wake();
      const outcome = await ended;
      if (outcome.select !== undefined) throw outcome.select as Error;
      if (outcome.load !== undefined) throw outcome.load as Error;
    },
  };
}

/** The same pipeline whole, in one process: the error its prechecks end it with. */
async function wholePipelineError(spec: PipelineSpecInput): Promise<FerryError> {
  const runner = new PipelineRunner(resolvePipeline(spec), { log: silentLogger() });
  onTestFinished(() => runner.abort());
  const error = await runner.run().then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(FerryError);
  return error as FerryError;
}

/** The load side's answer; fails at once with the sides' errors if they end without one (refused). */
async function answered(sides: Sides): Promise<ResumePoint> {
  const outcome = await Promise.race([sides.resumedAt, sides.ended]);
  if ('position' in outcome) return outcome;
  throw new Error(`the pipeline ended without an answer: select side ${String(outcome.select)}, load side ${String(outcome.load)}`);
}

/** Both sides told their checks passed (the select side's after the answer, so a moment later). */
async function expectPassed(sides: Sides): Promise<void> {
  await expect.poll(() => ({ ...sides.passed }), { timeout: 120_000 }).toEqual({ select: true, load: true });
}

async function checkpointRows(pair: ReplicationPair, name: string): Promise<number> {
  const [rows] = await pair.target.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM _ferry.checkpoints WHERE pipeline = ?', [name]);
  return Number(rows[0]?.n);
}

/** A split pipeline refused: both sides end with the whole pipeline's code and message, and the target holds no checkpoint. */
async function expectRefusedLikeWhole(pair: ReplicationPair, spec: PipelineSpecInput, code: string): Promise<void> {
  const whole = await wholePipelineError(spec);
  expect(whole.code).toBe(code);
  const sides = startSides(spec);
  onTestFinished(() => sides.stop().catch(() => undefined));
  // An answer means the load side claimed the pipeline: the checks let it through.
  const outcome = await Promise.race([sides.ended, sides.resumedAt.then(() => 'answered' as const)]);
  if (outcome === 'answered') expect.fail('the load side answered the resume request: the pipeline was not refused');
  for (const side of [outcome.select, outcome.load]) {
    expect(side).toBeInstanceOf(FerryError);
    expect((side as FerryError).code).toBe(code);
    expect((side as FerryError).message).toBe(whole.message);
  }
  expect((outcome.select as FerryError).details.failures).toEqual(whole.details.failures);
  expect(sides.passed).toEqual({ select: false, load: false });
  expect(await checkpointRows(pair, spec.name!)).toBe(0);
}

describe('prechecks of a split pipeline across the pipe', () => {
  it('refuse a source table without a key with FERRY_ERR_TABLE_NO_KEY, as a whole pipeline does, leaving no checkpoint', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    await pair.onBoth('CREATE TABLE heap (a INT, b INT)');
    await expectRefusedLikeWhole(pair, specOf(pair), 'FERRY_ERR_TABLE_NO_KEY');
  });

  it('refuse a table rule that drops the target key (a comparison of source and target) with FERRY_ERR_MAPPING_DROPS_KEY, leaving no checkpoint', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    await expectRefusedLikeWhole(pair, specOf(pair, { tables: [{ source: `${pair.schema}.items`, columns: { exclude: ['id'] } }] }), 'FERRY_ERR_MAPPING_DROPS_KEY');
  });

  it('refuse a resume request without a report when the load side must check (FERRY_ERR_PIPE_PROTOCOL on both sides), leaving no checkpoint', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const spec = specOf(pair);
    const sides = startSides(spec, spec, false);
    onTestFinished(() => sides.stop().catch(() => undefined));
    const outcome = await Promise.race([sides.ended, sides.resumedAt.then(() => 'answered' as const)]);
    if (outcome === 'answered') expect.fail('the load side answered a request without a precheck report');
    expect(outcome.load).toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL', message: expect.stringContaining('carries no precheck report') as unknown });
    expect(outcome.select).toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL' });
    expect(await checkpointRows(pair, spec.name!)).toBe(0);
  });

  it('pass a good pipeline on both sides, which then replicates exactly, and resume it with its checks passing again', async () => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    const spec = specOf(pair);
    const first = startSides(spec);
    onTestFinished(() => first.stop().catch(() => undefined));
    expect((await answered(first)).resumed).toBe(false);
    await expectPassed(first);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 200, seed: 51 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await first.stop();

    // From the checkpoint: binlog_retention runs on the select side at the answered position.
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 52 });
    const second = startSides(spec);
    onTestFinished(() => second.stop().catch(() => undefined));
    expect((await answered(second)).resumed).toBe(true);
    await expectPassed(second);
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await second.stop();
  });

  it('end both sides with FERRY_ERR_BINLOG_PURGED, as a whole pipeline does, when the source purged the binlog at the checkpoint', async () => {
    // Purging on a shared server would cut off other tests that resume from a checkpoint.
    const pair = await replicationPair({ source: await scratchTestDatabase() });
    await pair.onBoth(ITEMS_TABLE);
    const spec = specOf(pair);
    const first = startSides(spec);
    onTestFinished(() => first.stop().catch(() => undefined));
    await answered(first);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 50, seed: 54 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await first.stop();

    // Changes the checkpoint has not seen, then every binlog holding them purged.
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 20, seed: 55 });
    const admin = pair.source.connection;
    await admin.query('FLUSH BINARY LOGS');
    await admin.query('FLUSH BINARY LOGS');
    const [[now]] = await admin.query<RowDataPacket[]>('SHOW MASTER STATUS');
    // MariaDB keeps a file until InnoDB has made its commits durable: purge until only the newest is left.
    await expect.poll(async () => {
      await admin.query(`PURGE BINARY LOGS TO '${String(now?.File)}'`);
      const [logs] = await admin.query<RowDataPacket[]>('SHOW BINARY LOGS');
      return logs.map((log) => String(log.Log_name));
    }, { timeout: 120_000 }).toEqual([String(now?.File)]);

    const whole = await wholePipelineError(spec);
    expect(whole.code).toBe('FERRY_ERR_BINLOG_PURGED');
    const second = startSides(spec);
    onTestFinished(() => second.stop().catch(() => undefined));
    // The load side answers from its checkpoint; the select side checks the binlog there.
    expect((await answered(second)).resumed).toBe(true);
    const outcome = await second.ended;
    for (const side of [outcome.select, outcome.load]) {
      expect(side).toMatchObject({ code: 'FERRY_ERR_BINLOG_PURGED', message: whole.message });
    }
    expect(second.passed.select).toBe(false);
  });

  it.each([
    { skippedBy: 'both sides', select: ['primary_keys'], load: ['primary_keys'] },
    { skippedBy: 'the select side', select: ['primary_keys'], load: [] },
    { skippedBy: 'the load side', select: [], load: ['primary_keys'] },
  ])('honour skipPrechecks skipped by $skippedBy: a table without a key is let through, and the keyed table replicates', async ({ select, load }) => {
    const pair = await replicationPair();
    await pair.onBoth(ITEMS_TABLE);
    await pair.onBoth('CREATE TABLE heap (a INT, b INT)');
    const sides = startSides(specOf(pair, { skipPrechecks: select }), specOf(pair, { skipPrechecks: load }));
    onTestFinished(() => sides.stop().catch(() => undefined));
    expect((await answered(sides)).resumed).toBe(false);
    await expectPassed(sides);
    await runMixedWorkload(pair.source.connection, pair.schema, { transactions: 100, seed: 53 });
    await expectTablesConverge(pair.source.connection, pair.target.connection, pair.schema, 'items');
    await sides.stop();
  });
});
