/**
 * Whether the manager this page came from answers: every request reports here, the banner and
 * the failover read it. A tiny store (subscribe/notify) rather than a state library.
 */
export interface ConnectionState {
  /** When the first of the current run of unanswered requests failed; null while it answers. */
  unreachableSince: number | null;
  /** Unanswered requests in a row. */
  failures: number;
}

type Listener = (state: ConnectionState) => void;

function createConnection() {
  let state: ConnectionState = { unreachableSince: null, failures: 0 };
  const listeners = new Set<Listener>();
  const set = (next: ConnectionState) => {
    state = next;
    for (const listener of listeners) listener(state);
  };
  return {
    get: () => state,
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    failed: () => set({ unreachableSince: state.unreachableSince ?? Date.now(), failures: state.failures + 1 }),
    answered: () => {
      if (state.failures > 0) set({ unreachableSince: null, failures: 0 });
    },
  };
}

export const connection = createConnection();
