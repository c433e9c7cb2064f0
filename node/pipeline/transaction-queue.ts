import type { SourceTransaction } from '../../shared/model/change.ts';

/**
 * The bounded hand-over from Select to the stages after it. Bounded by rows, not
 * transactions: one transaction may hold a million rows. Crossing `highWater` asks the
 * producer to pause; draining below half of it lets it resume.
 */
export class TransactionQueue {
  private readonly items: SourceTransaction[] = [];
  private head = 0;
  private rows = 0;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly highWater: number,
    private readonly onPressure: (paused: boolean) => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get queuedRows(): number {
    return this.rows;
  }

  push(transaction: SourceTransaction): void {
    this.items.push(transaction);
    this.rows += Math.max(1, transaction.changes.length);
    if (this.rows > this.highWater) this.onPressure(true);
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
    const transaction = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    const before = this.rows;
    this.rows -= Math.max(1, transaction.changes.length);
    if (before > this.highWater / 2 && this.rows <= this.highWater / 2) this.onPressure(false);
    return transaction;
  }

  /** Wakes a pending take() so the consumer can notice a stop. */
  wake(): void {
    this.waiter?.();
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
    this.rows = 0;
  }
}
