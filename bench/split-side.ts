// One side of a split pipeline as a process of its own, for `bin/ferry bench --wan`
// (bench/split-pipeline.ts starts two): node --import tsx bench/split-side.ts '<SplitSideArgs JSON>'.
// Built from the same parts a node will run (node/pipe/README.md, "The batch channel over the
// pipe"), as test/integration/pipeline/pipe-sides.test.ts joins them, so the benchmark does not
// wait for the node wiring. stdout carries JSON lines for the benchmark; the log goes to stderr.
import { setTimeout as sleep } from 'node:timers/promises';
import { resolvePipeline, type RuntimePipeline } from '../shared/config/load-pipeline-config.ts';
import type { PipelineSpecInput } from '../shared/config/pipeline-spec.ts';
import { FerryError, describeError } from '../shared/errors/index.ts';
import { createLogger, type Logger } from '../shared/logging.ts';
import { LoadSide } from '../node/pipeline/load-side.ts';
import { connectEndpoint } from '../node/pipeline/mysql-tls.ts';
import { SelectSide } from '../node/pipeline/select-side.ts';
import { PipeBatchSender, PipeServer, loadSideSink, runSelectOverPipe, type WindowLimits } from '../node/pipe/index.ts';

export interface SplitSideArgs {
  role: 'select' | 'load';
  /** The pipeline, the same on both sides (each resolves it on its own, as two nodes will). */
  spec: PipelineSpecInput;
  /** load: where to listen (port 0: a free one, written to stdout as {"listening": port}); select: where to dial (the WAN proxy). */
  pipe: { host: string; port: number };
  /** The pipe secret, hex (the leader's per-assignment secret in a cluster). */
  secret: string;
  epoch: number;
  /** The pipe's window on this side; the two sides keep to the smaller of each bound. @default the pipe's */
  window?: Partial<WindowLimits>;
}

/** First wait before the select side tries again after a retryable failure (as a node's RESTART would). */
const RETRY_DELAY_MS = 1_000;

const say = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

/** The load side: a pipe server whose every session runs a new LoadSide attempt; until SIGTERM. */
async function runLoad(args: SplitSideArgs, pipeline: RuntimePipeline, log: Logger): Promise<void> {
  const secret = Buffer.from(args.secret, 'hex');
  const endpoint = connectEndpoint(pipeline.target, 'target');
  const owner = { scope: 'run', id: `bench-split-load/${process.pid}` };
  const server = await PipeServer.listen({
    host: args.pipe.host,
    port: args.pipe.port,
    ...(args.window ? { window: args.window } : {}),
    log,
    authorize: (name, epoch) => (name !== pipeline.name ? undefined : epoch === args.epoch ? secret : { heldEpoch: args.epoch }),
    attach: (session, controls) => {
      const load = new LoadSide(pipeline, endpoint, { log, owner, commitAllowed: () => undefined, aborted: () => false });
      const { sink, loaded } = loadSideSink(session, controls, async (receiver) => {
        await load.open();
        try {
          await load.stream(receiver);
        } finally {
          await load.close();
        }
      });
      loaded.catch((error: unknown) => log.warn({ code: error instanceof FerryError ? error.code : undefined, detail: describeError(error) }, 'load side attempt ended'));
      return sink;
    },
  });
  say({ listening: server.address.port });
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await server.close();
}

/** The select side: attempts until SIGTERM; a retryable failure (or the pipe's) starts a new one, as a node's RESTART would. */
async function runSelect(args: SplitSideArgs, pipeline: RuntimePipeline, log: Logger): Promise<void> {
  const secret = Buffer.from(args.secret, 'hex');
  const endpoint = connectEndpoint(pipeline.source, 'source');
  let stopped = false;
  let select: SelectSide | undefined;
  let sender: PipeBatchSender | undefined;
  const totals = { batches: 0, attempts: 0 };
  process.once('SIGTERM', () => {
    stopped = true;
    select?.wake();
  });
  // The pipe's counters on request: the benchmark reads them when the catch-up ends.
  process.on('SIGUSR2', () => say({ stats: { ...sender?.stats(), batches: totals.batches + (sender?.sent.batches ?? 0), attempts: totals.attempts } }));
  while (!stopped) {
    totals.attempts += 1;
    const current = new PipeBatchSender({
      client: { host: args.pipe.host, port: args.pipe.port, pipeline: pipeline.name, epoch: args.epoch, secret, ...(args.window ? { window: args.window } : {}) },
      compression: pipeline.pipe.compression,
      onFailure: () => select?.wake(),
      log,
    });
    sender = current;
    const side = new SelectSide(pipeline, endpoint, { log, onHeard: () => current.heard(), setBehind: (behind) => current.setBehind(behind), stopRequested: () => stopped, aborted: () => false });
    select = side;
    try {
      await side.open();
      await runSelectOverPipe(current, (channel) => side.stream(channel));
      return;
    } catch (error) {
      const failure = error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
      if (stopped || !(failure.retryable || failure.code.startsWith('FERRY_ERR_PIPE_'))) throw failure;
      say({ attemptFailed: failure.code });
      log.warn({ code: failure.code, detail: failure.message }, 'split select side attempt failed, retrying');
      await sleep(RETRY_DELAY_MS);
    } finally {
      totals.batches += current.sent.batches;
      sender = undefined;
      await side.close();
    }
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '') as SplitSideArgs;
  const log = createLogger().child({ component: `split-${args.role}` });
  const pipeline = resolvePipeline(args.spec);
  await (args.role === 'load' ? runLoad(args, pipeline, log) : runSelect(args, pipeline, log));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`split side failed: ${error instanceof FerryError ? `${error.code} ` : ''}${describeError(error)}\n`);
    process.exit(1);
  },
);
