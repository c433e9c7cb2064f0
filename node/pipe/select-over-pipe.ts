import type { RuntimePipeline } from '../../shared/config/load-pipeline-config.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { TLS_MIN_VERSION, type ClientTls } from '../../shared/tls/tls-options.ts';
import type { ConnectEndpoint } from '../pipeline/mysql-tls.ts';
import type { SelectRole } from '../pipeline/pipeline-role.ts';
import { splitSelectPrechecks } from '../pipeline/preflight.ts';
import { SelectSide, type SelectSideOptions } from '../pipeline/select-side.ts';
import { PipeBatchSender } from './pipe-batch-sender.ts';
import type { PipeTuning } from './pipe-options.ts';
import { runSelectOverPipe } from './pipe-sides.ts';
import { VerifyAnswerer } from '../verify/verify-answerer.ts';

/** What one attempt of a split pipeline's select side needs from the runner that retries it. */
export interface SelectOverPipeContext {
  pipeline: RuntimePipeline;
  /** The source. */
  endpoint: ConnectEndpoint;
  role: SelectRole;
  /** This node's pipe client TLS (--pipe-tls-*, --pipe-ca); a load node that speaks TLS without it is trusted by the system's CAs. */
  clientTls: ClientTls | undefined;
  tuning: PipeTuning;
  log: Logger;
  select: Omit<SelectSideOptions, 'log' | 'onStreaming' | 'prechecks'>;
  /** The first attempts, until the checks pass: told when they did. Undefined: the checks passed before (still reported, for a new load side). */
  prechecksPassed: (() => void) | undefined;
  /** The binlog stream is open: the start-up is over. */
  onStreaming: () => void;
  /** Gets, while the attempt runs, what cuts its connections and what wakes its loop. */
  hold: (controls: { sever: () => void; wake: () => void; sender: PipeBatchSender } | undefined) => void;
}

const SYSTEM_CAS: ClientTls = { minVersion: TLS_MIN_VERSION, rejectUnauthorized: true };

/**
 * Refusals and ends that mean "the load side is not (or no longer) waiting for this select
 * side": it has not read its assignment yet, it holds another epoch, or it stopped. The
 * assignments settle that within seconds (the select side's record changes and its runner
 * restarts), so the select side waits and tries again rather than raising a ROLLBACK.
 */
export function waitsForLoadSide(failure: FerryError): boolean {
  return failure.code === 'FERRY_ERR_PIPE_NOT_ASSIGNED' || failure.code === 'FERRY_ERR_PIPE_EPOCH_STALE' || failure.code === 'FERRY_ERR_PIPE_CONNECT'
    || (failure.code === 'FERRY_ERR_PIPE_CLOSED' && /load side stops|load node stops/.test(failure.message));
}

/**
 * One attempt of a split pipeline's select side: Select and Extract next to the source, the
 * batches to the load node through a PipeClient (its address, TLS, this side's epoch and the
 * pipe secret, all from the select assignment). Never connects to the target. As in one
 * process, a start-up with no answer within the target statement bound (the load side claims
 * the target's fence before it answers) cuts everything and fails retryably.
 */
export async function runSelectOverPipeAttempt(context: SelectOverPipeContext): Promise<void> {
  const { pipeline, log, role } = context;
  // A verify job of the pipeline asks about the source through this connection (the load node never connects to it).
  const answerer = new VerifyAnswerer(pipeline);
  const sender: PipeBatchSender = new PipeBatchSender({
    client: {
      host: role.host,
      port: role.port,
      pipeline: pipeline.name,
      epoch: role.epoch,
      secret: role.secret,
      ...(role.tls ? { tls: context.clientTls ?? SYSTEM_CAS } : {}),
      ...context.tuning,
      answerVerify: (request) => answerer.answer(request),
      log,
    },
    compression: pipeline.pipe.compression,
    onFailure: () => select.wake(),
    log,
  });
  const select: SelectSide = new SelectSide(pipeline, context.endpoint, {
    ...context.select,
    log,
    // The pipe carries decoded rows, not events: a split pipeline applies by SQL (docs/replay.md).
    captureReplay: false,
    // Every attempt sends the source's report: its load side may be a new one, which checks.
    prechecks: splitSelectPrechecks(pipeline, context.prechecksPassed),
    onHeard: () => {
      context.select.onHeard?.();
      sender.heard();
    },
    setBehind: (behind) => {
      context.select.setBehind?.(behind);
      sender.setBehind(behind);
    },
    onStreaming: () => {
      clearTimeout(setupTimer);
      context.onStreaming();
    },
  });
  const cut = (reason: string) => {
    select.sever(reason);
    sender.fail(new FerryError('FERRY_ERR_PIPELINE_ABORTED', { pipeline: pipeline.name }));
  };
  context.hold({ sever: () => cut('the pipeline is aborted'), wake: () => select.wake(), sender });
  const setupBound = pipeline.liveness.targetStatementMs;
  const setupTimer = setTimeout(() => cut(`no answer within ${setupBound} ms while the pipeline was starting`), setupBound);
  try {
    await select.open();
    log.info({ loadNode: role.loadNode, address: `${role.host}:${role.port}`, tls: role.tls, epoch: role.epoch }, 'select side connecting to its load side');
    await runSelectOverPipe(sender, (channel) => select.stream(channel));
  } finally {
    clearTimeout(setupTimer);
    await select.close();
    await answerer.close();
    context.hold(undefined);
  }
}
