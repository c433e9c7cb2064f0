import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { BatchReceiver, BatchSender, ChannelBounds } from './batch-channel.ts';
import { InProcessBatchChannel } from './in-process-channel.ts';
import { LoadSide, type LoadSideOptions } from './load-side.ts';
import type { ConnectEndpoint } from './mysql-tls.ts';
import { prechecksBeforeClaim } from './preflight.ts';
import { SelectSide, type SelectSideOptions } from './select-side.ts';

/** What one attempt needs from the runner that retries it. */
export interface LocalAttemptContext {
  pipeline: RuntimePipeline;
  endpoints: { source: ConnectEndpoint; target: ConnectEndpoint };
  log: Logger;
  select: Omit<SelectSideOptions, 'log' | 'onStreaming'>;
  load: Omit<LoadSideOptions, 'log' | 'beforeClaim'>;
  /** Prechecks to run before the claim (the first attempt until they pass); told when they passed. */
  prechecks: (() => void) | undefined;
  /** The binlog stream is open: the start-up is over. */
  onStreaming: () => void;
  /** Gets, while the attempt runs, what cuts its connections and what wakes its loop. */
  hold: (controls: { sever: () => void; wake: () => void } | undefined) => void;
}

/**
 * In one process, the channel's window holds what the loader holds (`parallel` batches
 * applying, as many prepared) and the one being prepared: the select side then waits where
 * the single loop used to wait on the loader. Bytes are bounded by the batches' own bounds.
 */
export function inProcessBounds(pipeline: RuntimePipeline): ChannelBounds {
  return { batches: 2 * pipeline.parallel + 1, bytes: Number.POSITIVE_INFINITY };
}

/**
 * One attempt of a whole pipeline in this process: its select side and its load side, joined
 * by an in-process channel, plus the prechecks, which need both servers (preflight.ts). A start-up
 * that gets no answer within the target statement bound cuts everything (a path that died
 * without closing); the attempt then fails retryably.
 */
export async function runLocalAttempt(context: LocalAttemptContext): Promise<void> {
  const { pipeline, log } = context;
  const select = new SelectSide(pipeline, context.endpoints.source, { ...context.select, log, onStreaming: () => streaming() });
  const load = new LoadSide(pipeline, context.endpoints.target, {
    ...context.load,
    log,
    ...(context.prechecks ? { beforeClaim: prechecksBeforeClaim(pipeline, () => select.session!, context.prechecks) } : {}),
  });
  const cut = (reason?: string) => {
    load.sever(reason);
    select.sever(reason);
  };
  context.hold({ sever: () => cut(), wake: () => select.wake() });
  const setupBound = pipeline.liveness.targetStatementMs;
  const setupTimer = setTimeout(() => cut(`no answer within ${setupBound} ms while the pipeline was starting`), setupBound);
  const streaming = () => {
    clearTimeout(setupTimer);
    context.onStreaming();
  };
  try {
    await select.open();
    await load.open();
    const channel = new InProcessBatchChannel(inProcessBounds(pipeline));
    await joinSides(channel, (sender) => select.stream(sender), (receiver) => load.stream(receiver), () => select.wake());
  } finally {
    clearTimeout(setupTimer);
    await select.close();
    await load.close();
    // Kept until here: an abort() during a clean stop still cuts the batches in flight.
    context.hold(undefined);
  }
}

/**
 * Runs both sides until both have ended. The first failure of either closes the channel, so
 * the other side ends too (woken at once), and is thrown once both have.
 */
export async function joinSides(
  channel: BatchSender & BatchReceiver,
  selectSide: (sender: BatchSender) => Promise<void>,
  loadSide: (receiver: BatchReceiver) => Promise<void>,
  wakeSelect: () => void = () => undefined,
): Promise<void> {
  const watch = (side: Promise<void>) => side.catch((error: unknown) => {
    channel.fail(error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error }));
    wakeSelect();
  });
  await Promise.all([watch(selectSide(channel)), watch(loadSide(channel))]);
  if (channel.failure) throw channel.failure;
}
