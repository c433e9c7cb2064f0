/**
 * Notices a half-open source connection: one that no FIN or RST ever ends (a firewall, a dead
 * switch) stays silent forever, while a live one is never silent for long because the source
 * sends a heartbeat whenever the dump has nothing else to send. Silence beyond `boundMs` is
 * reported once through `onSilent`.
 *
 * The clock is the local receive time (heartbeat events carry timestamp 0). While the reader
 * is paused for back-pressure nothing can arrive, so the watch is paused too; resume() starts
 * a fresh bound, or a slow target would turn into reconnect storms.
 */
export class SilenceWatch {
  private lastHeardAt: number;
  private paused = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private boundMs: number,
    private readonly onSilent: (silentMs: number) => void,
    private readonly now: () => number = Date.now,
    /** Runs its argument after the I/O of this event loop turn. */
    private readonly afterIo: (run: () => void) => void = (run) => setImmediate(run),
  ) {
    this.lastHeardAt = now();
    this.schedule(boundMs);
  }

  /** Something arrived from the source (any bytes: events, heartbeats, replies). */
  heard(): void {
    this.lastHeardAt = this.now();
  }

  /** A new bound, counted from the last arrival. */
  setBound(boundMs: number): void {
    this.boundMs = boundMs;
    if (this.stopped || this.paused) return;
    this.schedule(Math.max(1, this.lastHeardAt + boundMs - this.now()));
  }

  pause(): void {
    if (this.stopped || this.paused) return;
    this.paused = true;
    this.clear();
  }

  resume(): void {
    if (this.stopped || !this.paused) return;
    this.paused = false;
    this.lastHeardAt = this.now();
    this.schedule(this.boundMs);
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  // One timer at a time, re-armed at the deadline rather than on every arrival: a busy stream
  // hears thousands of packets a second.
  private schedule(delayMs: number): void {
    this.clear();
    this.timer = setTimeout(() => this.check(), Math.max(1, delayMs));
    this.timer.unref?.();
  }

  private check(confirmed = false): void {
    this.timer = undefined;
    if (this.stopped || this.paused) return;
    const silentMs = this.now() - this.lastHeardAt;
    if (silentMs < this.boundMs) {
      this.schedule(this.boundMs - silentMs);
    } else if (!confirmed) {
      // Timers run before I/O in an event loop turn: after a long synchronous stretch (a
      // huge transaction decoded) bytes may be waiting unread. Look again once they are.
      this.afterIo(() => this.check(true));
    } else {
      this.stop();
      this.onSilent(silentMs);
    }
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
