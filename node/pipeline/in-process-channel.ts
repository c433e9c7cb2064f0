import { FerryError } from '../../shared/errors/index.ts';
import type { BatchReceiver, BatchSender, ChannelBounds, ResumePoint, ResumeRequest, SelectedBatch } from './batch-channel.ts';
import { StateSignal } from '../../shared/state-signal.ts';

/**
 * Both ends of a BatchChannel in one process: the select side and the load side of a
 * pipeline that runs whole on one node (`bin/ferry run`, a node holding both sides). Batches
 * are handed over by reference; the window bounds the batches sent and not yet committed, by
 * count and by binlog bytes, and an empty window takes any one batch, however large, so a
 * transaction above the byte bound never blocks the stream.
 */
export class InProcessBatchChannel implements BatchSender, BatchReceiver {
  private readonly waiting: SelectedBatch[] = [];
  private readonly window: Array<{ seq: number; bytes: number }> = [];
  private windowBytes = 0;
  private streamEnded = false;
  private closedBy: FerryError | undefined;
  private answer: ((request: ResumeRequest) => Promise<ResumePoint>) | undefined;
  private readonly signal = new StateSignal();
  private readonly ackListeners = new Set<() => void>();

  constructor(private readonly bounds: ChannelBounds) {}

  get unacked(): number {
    return this.window.length;
  }

  /** Binlog bytes of the batches sent and not yet acknowledged. */
  get unackedBytes(): number {
    return this.windowBytes;
  }

  get failure(): FerryError | undefined {
    return this.closedBy;
  }

  get ended(): boolean {
    return this.streamEnded && this.waiting.length === 0;
  }

  async resumeAt(request: ResumeRequest): Promise<ResumePoint> {
    while (this.answer === undefined) {
      this.throwIfFailed();
      await this.signal.changed();
    }
    // The answer may wait on a database; a failure of either side ends the wait at once.
    let answered: ResumePoint | undefined;
    const answering = this.answer(request).then((point) => {
      answered = point;
      this.signal.notify();
    });
    // Its rejection is this call's failure (below); not an unhandled one meanwhile.
    answering.catch(() => undefined);
    for (;;) {
      this.throwIfFailed();
      if (answered !== undefined) return answered;
      await Promise.race([answering, this.signal.changed()]);
    }
  }

  serveResume(answer: (request: ResumeRequest) => Promise<ResumePoint>): void {
    this.answer = answer;
    this.signal.notify();
  }

  async send(batch: SelectedBatch): Promise<void> {
    for (;;) {
      this.throwIfFailed();
      if (this.streamEnded) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `batch ${batch.seq} sent after the end of the stream` });
      if (this.hasRoomFor(batch)) break;
      await this.signal.changed();
    }
    this.window.push({ seq: batch.seq, bytes: batch.bytes });
    this.windowBytes += batch.bytes;
    this.waiting.push(batch);
    this.signal.notify();
  }

  async receive(timeoutMs: number): Promise<SelectedBatch | undefined> {
    this.throwIfFailed();
    if (this.waiting.length === 0 && !this.streamEnded) {
      await this.signal.changed(timeoutMs);
      this.throwIfFailed();
    }
    return this.waiting.shift();
  }

  ack(seq: number): void {
    while (this.window.length > 0 && this.window[0]!.seq <= seq) this.windowBytes -= this.window.shift()!.bytes;
    this.signal.notify();
    for (const listener of this.ackListeners) listener();
  }

  onAcked(listener: () => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  end(): void {
    this.streamEnded = true;
    this.signal.notify();
  }

  fail(error: FerryError): void {
    this.closedBy ??= error;
    this.signal.notify();
  }

  private hasRoomFor(batch: SelectedBatch): boolean {
    if (this.window.length === 0) return true;
    return this.window.length < this.bounds.batches && this.windowBytes + batch.bytes <= this.bounds.bytes;
  }

  private throwIfFailed(): void {
    if (this.closedBy) throw this.closedBy;
  }
}
