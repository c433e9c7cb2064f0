/**
 * Holds the load's writers at a transaction boundary, as an application is paused for a
 * switchover: `hold()` resolves once every running writer has finished its transaction (acked,
 * in doubt or failed, as the ledger counts it) and waits in `pass()` before its next BEGIN;
 * `release()` lets them go on, and `pass()` tells each one that it waited, so that it opens a
 * new connection (to the master of now) instead of going on with the old one.
 */
export class WriterGate {
  private running = 0;
  private parked = 0;
  private held: { released: Promise<void>; release: () => void } | undefined;
  private allParked: (() => void) | undefined;

  /** A writer starts: `hold()` waits for it too. */
  join(): void {
    this.running++;
  }

  /** A writer ends (the load stopped): `hold()` no longer waits for it. */
  leave(): void {
    this.running--;
    this.settle();
  }

  /**
   * A writer between two transactions: at once while not held, else after `release()` (or
   * the abort of the load). True when it waited: its connection may lead to the old master.
   */
  async pass(signal: AbortSignal): Promise<boolean> {
    const held = this.held;
    if (held === undefined) return false;
    this.parked++;
    this.settle();
    try {
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        void held.released.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    } finally {
      this.parked--;
    }
    return true;
  }

  /** Resolves when every running writer waits at the gate (at once when none runs). */
  async hold(): Promise<void> {
    if (this.held === undefined) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      this.held = { released, release };
    }
    await new Promise<void>((resolve) => {
      this.allParked = resolve;
      this.settle();
    });
  }

  release(): void {
    const held = this.held;
    this.held = undefined;
    this.allParked = undefined;
    held?.release();
  }

  /** Whether hold() is in force (for tests and logs). */
  isHeld(): boolean {
    return this.held !== undefined;
  }

  private settle(): void {
    if (this.held !== undefined && this.allParked !== undefined && this.parked >= this.running) {
      const done = this.allParked;
      this.allParked = undefined;
      done();
    }
  }
}
