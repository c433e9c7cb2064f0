import type { FerryError } from '../../shared/errors/index.ts';

/** The most a side lets be in flight: sent and not yet acknowledged. */
export interface WindowLimits {
  /** @default 64 */
  readonly maxInFlightBatches: number;
  /** Payload bytes. @default 16 MiB */
  readonly maxInFlightBytes: number;
}

export const DEFAULT_WINDOW: WindowLimits = { maxInFlightBatches: 64, maxInFlightBytes: 16 * 1024 * 1024 };

/** The window both sides keep to: the smaller bound of each. */
export function agreedWindow(mine: WindowLimits, theirs: WindowLimits): WindowLimits {
  return {
    maxInFlightBatches: Math.min(mine.maxInFlightBatches, theirs.maxInFlightBatches),
    maxInFlightBytes: Math.min(mine.maxInFlightBytes, theirs.maxInFlightBytes),
  };
}

/**
 * The sender's window, bounded by count and bytes. acquire() waits, in call order, until a
 * batch fits; release() is an acknowledgement. A batch that fits alone always gets in once
 * the window empties (the sender refuses batches above the byte bound), so it never waits
 * forever on a live link. fail() rejects every waiter and every later acquire.
 */
export class SendWindow {
  private batches = 0;
  private bytes = 0;
  private readonly waiters: { bytes: number; resolve: () => void; reject: (error: FerryError) => void }[] = [];
  private failure: FerryError | undefined;

  constructor(private readonly limits: WindowLimits) {}

  get inFlightBatches(): number {
    return this.batches;
  }

  get inFlightBytes(): number {
    return this.bytes;
  }

  acquire(bytes: number): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    // Behind earlier waiters even if this one would fit: batches keep their order.
    if (this.waiters.length === 0 && this.fits(bytes)) {
      this.take(bytes);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ bytes, resolve, reject }));
  }

  release(bytes: number): void {
    this.batches -= 1;
    this.bytes -= bytes;
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const waiter = this.waiters.shift()!;
      this.take(waiter.bytes);
      waiter.resolve();
    }
  }

  fail(error: FerryError): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private fits(bytes: number): boolean {
    return this.batches < this.limits.maxInFlightBatches && this.bytes + bytes <= this.limits.maxInFlightBytes;
  }

  private take(bytes: number): void {
    this.batches += 1;
    this.bytes += bytes;
  }
}
