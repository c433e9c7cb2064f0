import type { Batch, SourcePosition, SourceTransaction, TargetChange } from '../../shared/model/change.ts';

/** Collects whole source transactions into the next batch. */
export class BatchBuilder {
  private changes: TargetChange[] = [];
  private transactions = 0;
  private sourceBytes = 0;
  private end: SourcePosition | undefined;
  private sourceTimestamp = 0;
  private openedAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get isEmpty(): boolean {
    return this.transactions === 0;
  }

  get rows(): number {
    return this.changes.length;
  }

  /** Binlog bytes of the source row events in the batch so far. */
  get bytes(): number {
    return this.sourceBytes;
  }

  /** When the first transaction went in (ms); batches are flushed a fixed delay after it. */
  get startedAt(): number {
    return this.openedAt;
  }

  add(transaction: SourceTransaction, changes: TargetChange[]): void {
    if (this.transactions === 0) this.openedAt = this.now();
    for (const change of changes) this.changes.push(change);
    this.transactions++;
    this.sourceBytes += transaction.bytes ?? 0;
    this.end = transaction.end;
    this.sourceTimestamp = transaction.timestamp;
  }

  /** The batch so far, and a fresh start. */
  take(): Batch | undefined {
    if (this.end === undefined || this.transactions === 0) return undefined;
    const batch: Batch = { end: this.end, changes: this.changes, transactions: this.transactions, sourceTimestamp: this.sourceTimestamp, openedAt: this.openedAt };
    this.changes = [];
    this.transactions = 0;
    this.sourceBytes = 0;
    this.end = undefined;
    return batch;
  }
}
