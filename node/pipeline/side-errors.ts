import { classifyTargetError } from '../load/target-errors.ts';
import { classifySourceError } from '../select/source-errors.ts';

/** Wraps a promise so that a driver error rejects as the FerryError it amounts to. */
export type Classified = <T>(work: Promise<T>) => Promise<T>;

/** Source queries: a connection lost here (a restarting source) is retried like any other. */
export function onSourceOf(endpoint: Parameters<typeof classifySourceError>[1]): Classified {
  return (work) => work.catch((error: unknown) => {
    throw classifySourceError(error, endpoint);
  });
}

/** The apply path reports driver errors: classified (a lost connection is retryable). */
export function onTargetOf(endpoint: Parameters<typeof classifyTargetError>[1]): Classified {
  return (work) => work.catch((error: unknown) => {
    throw classifyTargetError(error, endpoint);
  });
}
