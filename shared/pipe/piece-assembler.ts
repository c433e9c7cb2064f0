import type { RowChange, SourceTransaction } from '../model/change.ts';
import { corrupt } from './wire-buffer.ts';
import type { TransactionPieceMessage } from './wire-format.ts';

/**
 * Joins the pieces of one large source transaction back into it, on the load side. Pieces
 * must come in order, numbered from 0, all with one seq; the last one carries the header.
 * Anything else is FERRY_ERR_PIPE_WIRE_CORRUPT: a lost or repeated piece would otherwise
 * commit a partial or doubled transaction. A load side that applies pieces as they come
 * (memory bounded by one piece) checks the same order with `expect` and commits on `last`.
 */
export class PieceAssembler {
  private seq: number | undefined;
  private next = 0;
  private changes: RowChange[] = [];

  /** True while a transaction is half received. */
  get open(): boolean {
    return this.seq !== undefined;
  }

  /** Checks that `message` is the next piece; throws otherwise. */
  expect(message: TransactionPieceMessage): void {
    if (this.seq === undefined ? message.piece !== 0 : message.seq !== this.seq || message.piece !== this.next) {
      const wanted = this.seq === undefined ? 'piece 0 of a new transaction' : `piece ${this.next} of batch ${this.seq}`;
      throw corrupt(`piece ${message.piece} of batch ${message.seq} arrived, expected ${wanted}`);
    }
    if (message.last) {
      this.seq = undefined;
      this.next = 0;
    } else {
      this.seq = message.seq;
      this.next = message.piece + 1;
    }
  }

  /** Adds a piece; returns the whole transaction on the last one. */
  add(message: TransactionPieceMessage): SourceTransaction | undefined {
    this.expect(message);
    for (const change of message.changes) this.changes.push(change);
    if (!message.last) return undefined;
    const changes = this.changes;
    this.changes = [];
    return { ...message.transaction!, changes };
  }

  /** A batch arriving while a transaction is half received is out of order. */
  checkNoneOpen(): void {
    if (this.seq !== undefined) throw corrupt(`a batch arrived while batch ${this.seq} waits for piece ${this.next}`);
  }
}
