import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { StateSignal } from '../../shared/state-signal.ts';
import { LoadSide, type LoadSideOptions } from '../pipeline/load-side.ts';
import { splitPrechecksBeforeClaim } from '../pipeline/preflight.ts';
import type { ConnectEndpoint } from '../pipeline/mysql-tls.ts';
import type { LoadRole } from '../pipeline/pipeline-role.ts';
import type { SourceStatus } from './channel-payloads.ts';
import type { PipeStatsRecord } from '../../shared/cluster/model.ts';
import type { PipeBatchReceiver } from './pipe-batch-receiver.ts';
import type { PipeHost } from './pipe-host.ts';
import { pipeStatsOf, type ReceivedCounts } from './pipe-stats.ts';
import { loadSideSink } from './pipe-sides.ts';

/** What one attempt of a split pipeline's load side needs from the runner that retries it. */
export interface LoadOverPipeContext {
  pipeline: RuntimePipeline;
  /** The target. */
  endpoint: ConnectEndpoint;
  role: LoadRole;
  host: PipeHost;
  /** The pipe's largest batch payload (the receiver's decoder bound). */
  maxBatchBytes: number;
  log: Logger;
  load: Omit<LoadSideOptions, 'log' | 'beforeClaim'>;
  /** Until the prechecks passed on this runner: told when they did (each session checks until then). Undefined: they passed before. */
  prechecksPassed: (() => void) | undefined;
  /** The select side's source status, for the lag. */
  onSourceStatus: (status: SourceStatus) => void;
  /** A select side connected and was told where to start: the start-up is over. */
  onStreaming: () => void;
  stopRequested: () => boolean;
  /** Gets, while the attempt runs, what cuts its connections and what wakes its wait. */
  hold: (controls: { sever: () => void; wake: () => void; pipeStats: () => PipeStatsRecord | undefined; pipeTotals: () => ReceivedCounts | undefined } | undefined) => void;
}

/**
 * One attempt of a split pipeline's load side: a slot in the node's pipe server for the select
 * side its assignment names, and for each session that select side opens, a LoadSide over it
 * (resume from the target's checkpoint, then Transform and Load, acks after commit). A
 * session the select side ends cleanly (it stopped, or moves) leaves the slot waiting for the
 * next; a session that fails (cut, silence, either side's error) ends the attempt with that
 * error, which the node hands to the arbiter (ROLLBACK, then RESTART of both sides). A stop
 * ends the live session, whose select side hears FERRY_ERR_PIPE_CLOSED.
 */
export async function runLoadOverPipe(context: LoadOverPipeContext): Promise<void> {
  const { pipeline, log, role } = context;
  const signal = new StateSignal();
  let failure: FerryError | undefined;
  let current: { load: LoadSide; loaded: Promise<void>; receiver: PipeBatchReceiver } | undefined;
  let checked = context.prechecksPassed === undefined;
  const passed = () => {
    checked = true;
    context.prechecksPassed?.();
  };
  const slot = context.host.open(pipeline.name, {
    selectEpoch: role.selectEpoch,
    secret: role.secret,
    attach: (session, controls) => {
      const load = new LoadSide(pipeline, context.endpoint, {
        ...context.load,
        log,
        ...(checked ? {} : { beforeClaim: splitPrechecksBeforeClaim(pipeline, passed) }),
        onResumed: (position) => {
          context.load.onResumed?.(position);
          context.onStreaming();
        },
      });
      log.info({ peer: session.peer, selectEpoch: session.epoch }, 'select side connected');
      const { sink, loaded, receiver } = loadSideSink(session, controls, async (receiver) => {
        await load.open();
        try {
          await load.stream(receiver);
        } finally {
          await load.close();
        }
      }, { maxBatchBytes: context.maxBatchBytes, onSourceStatus: context.onSourceStatus });
      const mine = { load, loaded, receiver };
      current = mine;
      loaded.then(
        () => log.info({ peer: session.peer }, 'select side ended its session; waiting for the next'),
        (error: unknown) => (failure ??= error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error })),
      ).finally(() => {
        if (current === mine) current = undefined;
        signal.notify();
      });
      return sink;
    },
  });
  context.hold({
    sever: () => {
      current?.load.sever('the pipeline is aborted');
      void slot.close(new FerryError('FERRY_ERR_PIPELINE_ABORTED', { pipeline: pipeline.name }));
    },
    wake: () => signal.notify(),
    pipeStats: () => {
      const session = slot.stats();
      return session === undefined || current === undefined ? undefined : pipeStatsOf(session, current.receiver.received);
    },
    pipeTotals: () => current?.receiver.received,
  });
  try {
    log.info({ selectNode: role.selectNode, selectEpoch: role.selectEpoch }, 'load side waiting for its select side');
    while (failure === undefined && !context.stopRequested()) await signal.changed();
  } finally {
    const ending = current?.loaded.catch(() => undefined);
    await slot.close(new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: role.selectNode, detail: 'the load side stops' }));
    await ending;
    context.hold(undefined);
  }
  // After a stop, the error of the session it ended is the stop itself.
  if (failure !== undefined && !context.stopRequested()) throw failure;
}
