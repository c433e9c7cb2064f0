import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { BatchReceiver, BatchSender } from '../pipeline/batch-channel.ts';
import { PipeBatchReceiver, type PipeBatchReceiverOptions } from './pipe-batch-receiver.ts';
import type { PipeBatchSender } from './pipe-batch-sender.ts';
import type { PipeSession, PipeSessionControls, PipeSink } from './server-session.ts';

/*
 * Each side of a split pipeline joined to its end of the channel across the pipe, as
 * joinSides (local-attempt.ts) joins both in one process: the first failure of either side
 * ends the connection, the other side hears its code and ends too.
 */

function asFerryError(error: unknown): FerryError {
  return error instanceof FerryError ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
}

/**
 * Runs the select side over `sender` until it ends; then closes the connection (after a clean
 * stop, once the load side has committed everything). Throws the first failure of either side.
 */
export async function runSelectOverPipe(sender: PipeBatchSender, stream: (sender: BatchSender) => Promise<void>): Promise<void> {
  try {
    await stream(sender);
  } catch (error) {
    sender.fail(asFerryError(error));
  }
  const failure = await sender.close();
  if (failure !== undefined) throw failure;
}

/**
 * A PipeServer attach() for a load side: a receiver for the session, the load side started on
 * it, and a sink whose end waits for the load side to finish (the next session then resumes
 * after its last commit). `loaded` resolves or rejects as the load side ends.
 */
export function loadSideSink(
  session: PipeSession,
  controls: PipeSessionControls,
  stream: (receiver: BatchReceiver) => Promise<void>,
  options: PipeBatchReceiverOptions = {},
): { sink: PipeSink; receiver: PipeBatchReceiver; loaded: Promise<void> } {
  const receiver = new PipeBatchReceiver(session, controls, options);
  const loaded = stream(receiver).catch((error: unknown) => {
    const failure = asFerryError(error);
    receiver.fail(failure);
    throw receiver.failure ?? failure;
  });
  receiver.holdEndUntil(loaded);
  return { sink: receiver.sink, receiver, loaded };
}
