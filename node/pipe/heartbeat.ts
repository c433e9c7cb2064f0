import { performance } from 'node:perf_hooks';

/**
 * Heartbeats of one side of a pipe connection: a HEARTBEAT every interval carrying this
 * side's monotonic clock, which the peer echoes at once in a HEARTBEAT_ACK. The echo gives
 * the round trip without comparing two machines' clocks; the peer's own heartbeats and every
 * other byte feed the silence watch (pipe-link.ts), so a cut or half-open link is noticed on
 * both sides.
 *
 * The round trip includes queueing behind batches on a busy link: it is the latency a batch
 * sees, which is what the channel view shows.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private smoothedRttMs: number | undefined;

  constructor(private readonly intervalMs: number, private readonly send: (clock: number) => void) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.send(performance.now());
    this.timer = setInterval(() => this.send(performance.now()), this.intervalMs);
  }

  /** An echo of one of our heartbeats came back. */
  echoed(clock: number): void {
    const sample = performance.now() - clock;
    if (!(sample >= 0) || !Number.isFinite(sample)) return;
    // RFC 6298's smoothing: one slow sample moves the figure by an eighth.
    this.smoothedRttMs = this.smoothedRttMs === undefined ? sample : this.smoothedRttMs + (sample - this.smoothedRttMs) / 8;
  }

  /** Smoothed round trip in ms, once one echo came back. */
  get rttMs(): number | undefined {
    return this.smoothedRttMs === undefined ? undefined : Math.round(this.smoothedRttMs * 10) / 10;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
