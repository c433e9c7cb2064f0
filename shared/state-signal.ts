/**
 * Wakes whoever waits for an object's state to change: waiters call `changed()` in a loop
 * around their condition, the object calls `notify()` after every change. One waiting place
 * for every condition, so no change can be missed between a check and a wait.
 */
export class StateSignal {
  private readonly waiters = new Set<() => void>();

  /** Resolves at the next `notify()`, or after `timeoutMs` when given. */
  changed(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, Math.max(0, timeoutMs));
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }
}
