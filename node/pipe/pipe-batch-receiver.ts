import { FerryError } from '../../shared/errors/index.ts';
import type { SourceTransaction } from '../../shared/model/change.ts';
import { PieceAssembler, WireDecoder, type WireMessage } from '../../shared/pipe/index.ts';
import type { BatchReceiver, ResumePoint, ResumeRequest, SelectedBatch } from '../pipeline/batch-channel.ts';
import { CHANNEL_KINDS, channelError, readBatchEnd, readResumeRequest, readSourceStatus, resumePointJson, selectedBatchOf, type SourceStatus } from './channel-payloads.ts';
import type { PipePosition } from './control-messages.ts';
import { protocolError } from './frames.ts';
import { DEFAULT_MAX_BATCH_BYTES } from './pipe-options.ts';
import { BODY_BOUND_FACTOR } from './pipe-batch-sender.ts';
import type { PipeSession, PipeSessionControls, PipeSink } from './server-session.ts';
import { StateSignal } from '../../shared/state-signal.ts';

export interface PipeBatchReceiverOptions {
  /** The pipe server's maxBatchBytes (the decoder reads bodies up to BODY_BOUND_FACTOR times it). @default 4 MiB */
  maxBatchBytes?: number;
  /** The select side's source status: for the load node's lag (ProgressTracker.heard). */
  onSourceStatus?: (status: SourceStatus) => void;
}

/**
 * The load side's end of a batch channel across the node-to-node pipe: one per server
 * session (PipeServer's attach), with a new wire decoder. Its `sink` answers the resume
 * request through the load side's serveResume handler and decodes payloads into channel
 * batches for receive(). Payloads are acknowledged on the pipe as the load side acks their
 * batch (the sink acknowledges itself), so the window bounds what is sent and not yet
 * committed and the loader still holds several batches at once. Pieces of a large transaction
 * are joined in memory and the batch is handed over whole: it commits whole or not at all.
 */
export class PipeBatchReceiver implements BatchReceiver {
  readonly sink: PipeSink;
  private readonly decoder: WireDecoder;
  private readonly assembler = new PieceAssembler();
  /** The channel batch being received: its transactions so far. */
  private open: { seq: number; transactions: SourceTransaction[] } | undefined;
  private readonly ready: SelectedBatch[] = [];
  /** Batch-ends received and not yet acknowledged by the load side: channel seq, transport seq. */
  private readonly batchEnds: { seq: number; transportSeq: number }[] = [];
  private arrived = 0;
  /** Row changes of the batches received whole. */
  private rowChanges = 0;
  private acked = 0;
  private streamEnded = false;
  private closedBy: FerryError | undefined;
  private answer: ((request: ResumeRequest) => Promise<ResumePoint>) | undefined;
  private readonly signal = new StateSignal();
  private finished: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly session: PipeSession,
    private readonly controls: PipeSessionControls,
    private readonly options: PipeBatchReceiverOptions = {},
  ) {
    this.decoder = new WireDecoder({ maxBodyBytes: BODY_BOUND_FACTOR * (options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES) });
    this.sink = {
      acksItself: true,
      resumeAt: (request) => this.answerResume(request),
      onBatch: (seq, payload) => {
        this.take(seq, payload);
        return Promise.resolve();
      },
      onEnd: (error) => this.sessionEnded(error),
    };
  }

  get failure(): FerryError | undefined {
    return this.closedBy;
  }

  /** What this session received: row changes, and the payloads' bytes on the wire and before compression. */
  get received(): { rowChanges: number; wireBytes: number; bodyBytes: number } {
    return { rowChanges: this.rowChanges, ...this.decoder.decoded };
  }

  /**
   * Batches received and not yet acknowledged by the load side: with the select side's
   * `behind` (SourceStatus), whether changes are waiting, for the load node's lag.
   */
  get pending(): number {
    return this.batchEnds.length;
  }

  get ended(): boolean {
    return this.streamEnded && this.ready.length === 0;
  }

  /** The session's end waits for this (the load side's attempt): the next session's resume reads the checkpoint after it. */
  holdEndUntil(done: Promise<unknown>): void {
    this.finished = done.catch(() => undefined);
  }

  serveResume(answer: (request: ResumeRequest) => Promise<ResumePoint>): void {
    this.answer = answer;
    this.signal.notify();
  }

  async receive(timeoutMs: number): Promise<SelectedBatch | undefined> {
    this.throwIfFailed();
    if (this.ready.length === 0 && !this.streamEnded) {
      await this.signal.changed(timeoutMs);
      this.throwIfFailed();
    }
    return this.ready.shift();
  }

  ack(seq: number): void {
    while (this.batchEnds.length > 0 && this.batchEnds[0]!.seq <= seq) this.batchEnds.shift();
    this.advance();
  }

  fail(error: FerryError): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = error;
    // The select side hears the code (a refusal such as FERRY_ERR_SOURCE_IS_TARGET).
    this.controls.fail(error);
    this.signal.notify();
  }

  private async answerResume(value: PipePosition): Promise<PipePosition> {
    const request = readResumeRequest(value, this.session.peer);
    while (this.answer === undefined) {
      this.throwIfFailed();
      await this.signal.changed();
    }
    return resumePointJson(await this.answer(request));
  }

  /** One payload, in order: transactions of the open batch, its end, a status, the stream's end. */
  private take(transportSeq: number, payload: Buffer): void {
    if (this.closedBy !== undefined) return;
    const peer = this.session.peer;
    const message: WireMessage = this.decoder.decode(payload);
    this.arrived = transportSeq;
    switch (message.kind) {
      case 'batch':
        this.assembler.checkNoneOpen();
        this.openBatch(message.seq).push(...message.transactions);
        break;
      case 'transaction-piece': {
        const transaction = this.assembler.add(message);
        const open = this.openBatch(message.seq);
        if (transaction !== undefined) open.push(transaction);
        break;
      }
      case 'control':
        if (message.type === CHANNEL_KINDS.batchEnd) {
          this.assembler.checkNoneOpen();
          const end = readBatchEnd(message.body, peer);
          if (this.open === undefined || this.open.seq !== end.seq) throw protocolError(peer, `the end of batch ${end.seq} where batch ${this.open?.seq ?? 'none'} was open`);
          this.ready.push(selectedBatchOf(end, this.open.transactions, peer));
          for (const transaction of this.open.transactions) this.rowChanges += transaction.changes.length;
          this.open = undefined;
          this.batchEnds.push({ seq: end.seq, transportSeq });
          this.options.onSourceStatus?.(end.status);
        } else if (message.type === CHANNEL_KINDS.status) {
          this.options.onSourceStatus?.(readSourceStatus(message.body, peer));
        } else if (message.type === CHANNEL_KINDS.streamEnd) {
          if (this.open !== undefined) throw protocolError(peer, `the end of the stream while batch ${this.open.seq} was open`);
          this.streamEnded = true;
        } else {
          throw protocolError(peer, `unknown channel payload 0x${message.type.toString(16)}`);
        }
        break;
    }
    this.advance();
    this.signal.notify();
  }

  private openBatch(seq: number): SourceTransaction[] {
    if (this.open === undefined) this.open = { seq, transactions: [] };
    else if (this.open.seq !== seq) throw protocolError(this.session.peer, `transactions of batch ${seq} while batch ${this.open.seq} was open`);
    return this.open.transactions;
  }

  /** Acknowledges on the pipe every payload before the oldest batch the load side has not committed. */
  private advance(): void {
    const through = this.batchEnds.length > 0 ? this.batchEnds[0]!.transportSeq - 1 : this.arrived;
    if (through <= this.acked) return;
    this.acked = through;
    this.controls.ack(through);
  }

  private async sessionEnded(error: FerryError | undefined): Promise<void> {
    if (error !== undefined) this.closedBy ??= channelError(error);
    else if (!this.streamEnded) this.closedBy ??= new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: this.session.peer, detail: 'the select side closed before the end of its stream' });
    this.signal.notify();
    await this.finished;
  }

  private throwIfFailed(): void {
    if (this.closedBy !== undefined) throw this.closedBy;
  }
}
