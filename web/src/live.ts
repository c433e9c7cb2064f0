import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, UnreachableError } from './api/client.ts';

/** Pages poll the API no more often than this (the bound: at most every 2 s). */
export const POLL_MS = 2_000;

export interface Polled<T> {
  data: T | undefined;
  /** The last request's failure; the last data stays shown beside it. */
  error: ApiError | UnreachableError | undefined;
  /** When data was last loaded (browser clock). */
  loadedAt: number | undefined;
  /** Load again now (after an action), then go on polling. */
  refresh: () => void;
}

/**
 * Loads now and then every POLL_MS after the previous answer (requests never overlap), until
 * the component goes away. `key` restarts it (a changed filter).
 */
export function usePoll<T>(load: () => Promise<T>, key = ''): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, 'refresh'>>({ data: undefined, error: undefined, loadedAt: undefined });
  const timer = useRef<number | undefined>(undefined);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = ++generation.current;
    window.clearTimeout(timer.current);
    loadRef.current().then(
      (data) => mine === generation.current && setState({ data, error: undefined, loadedAt: Date.now() }),
      (error: ApiError | UnreachableError) => mine === generation.current && setState((previous) => ({ ...previous, error })),
    ).finally(() => {
      if (mine === generation.current) timer.current = window.setTimeout(run, POLL_MS);
    });
  }, []);

  useEffect(() => {
    setState({ data: undefined, error: undefined, loadedAt: undefined });
    run();
    return () => {
      generation.current += 1;
      window.clearTimeout(timer.current);
    };
  }, [key, run]);

  return { ...state, refresh: run };
}
