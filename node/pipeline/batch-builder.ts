import type { SourcePosition, SourceTransaction } from '../../shared/model/change.ts';
import type { SelectedBatch } from './batch-channel.ts';

/** What the builder hands over: a batch but for its number, which the sender gives it. */
export type BuiltBatch = Omit<SelectedBatch, 'seq' | 'knownTables'>;

/** Collects whole extracted source transactions into the next batch. */
export class BatchBuilder {
  private transactions: SourceTransaction[] = [];
  private changes = 0;
  private sourceBytes = 0;
  private end: SourcePosition | undefined;
  private sourceTimestamp = 0;
  private openedAt = 0;
  private echoes = false;

  constructor(private readonly now: () => number = Date.now) {}

  get isEmpty(): boolean {
    return this.transactions.length === 0;
  }

  /** Row changes kept so far. */
  get rows(): number {
    return this.changes;
  }

  /** Binlog bytes of the source row events in the batch so far. */
  get bytes(): number {
    return this.sourceBytes;
  }

  /** When the first transaction went in (ms); batches are flushed a fixed delay after it. */
  get startedAt(): number {
    return this.openedAt;
  }

  /** The batch holds echoes (SourceTransaction.echo): a batch is all echoes or none. */
  get echo(): boolean {
    return this.echoes;
  }

  /** `transaction` as Extract left it: its changes are those kept. */
  add(transaction: SourceTransaction): void {
    if (this.transactions.length === 0) {
      this.openedAt = this.now();
      this.echoes = transaction.echo === true;
    }
    this.transactions.push(transaction);
    this.changes += transaction.changes.length;
    this.sourceBytes += transaction.bytes ?? 0;
    this.end = transaction.end;
    this.sourceTimestamp = transaction.timestamp;
  }

  /** The batch so far, and a fresh start. */
  take(): BuiltBatch | undefined {
    if (this.end === undefined || this.transactions.length === 0) return undefined;
    const batch: BuiltBatch = { end: this.end, transactions: this.transactions, sourceTimestamp: this.sourceTimestamp, openedAt: this.openedAt, bytes: this.sourceBytes, ...(this.echoes ? { echo: true as const } : {}) };
    this.transactions = [];
    this.changes = 0;
    this.sourceBytes = 0;
    this.end = undefined;
    return batch;
  }
}
