import type { SourceTransaction } from '../../shared/model/change.ts';

/** The bounds of the queue: crossing either asks the producer to pause. */
export interface QueueBounds {
  /** Row changes; a transaction without rows counts one. */
  rows: number;
  /** Binlog bytes of the row events (SourceTransaction.bytes): rows of any width stay bounded in memory. */
  bytes: number;
}

/**
 * The bounded hand-over from Select to the stages after it. Bounded by rows and by bytes,
 * not transactions: one transaction may hold a million rows, and a row may hold megabytes.
 * Crossing either high-water mark asks the producer to pause; draining below half of both
 * lets it resume.
 */
export class TransactionQueue {
  private readonly items: Array<SourceTransaction | undefined> = [];
  private head = 0;
  private rows = 0;
  private bytes = 0;
  private paused = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly highWater: QueueBounds,
    private readonly onPressure: (paused: boolean) => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get queuedRows(): number {
    return this.rows;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  push(transaction: SourceTransaction): void {
    this.items.push(transaction);
    this.rows += Math.max(1, transaction.changes.length);
    this.bytes += transaction.bytes ?? 0;
    if (!this.paused && (this.rows > this.highWater.rows || this.bytes > this.highWater.bytes)) {
      this.paused = true;
      this.onPressure(true);
    }
    this.waiter?.();
  }

  /** The next transaction, or undefined when none arrives within `timeoutMs`. */
  async take(timeoutMs: number): Promise<SourceTransaction | undefined> {
    if (this.size === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, timeoutMs));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
      if (this.size === 0) return undefined;
    }
    const transaction = this.items[this.head]!;
    // Released at once: the array is compacted only now and then, and a taken transaction
    // left in it kept its rows alive (a thousand 100-row transactions of wide rows: 300 MB).
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.rows -= Math.max(1, transaction.changes.length);
    this.bytes -= transaction.bytes ?? 0;
    if (this.paused && this.rows <= this.highWater.rows / 2 && this.bytes <= this.highWater.bytes / 2) {
      this.paused = false;
      this.onPressure(false);
    }
    return transaction;
  }

  /** Wakes a pending take() so the consumer can notice a stop. */
  wake(): void {
    this.waiter?.();
  }
}
