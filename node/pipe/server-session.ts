import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { PipePosition } from './control-messages.ts';
import type { WindowLimits } from './flow-control.ts';
import { FrameType, SEQ_BYTES, encodeJsonFrame, encodeSeqFrame, frameTypeName, protocolError, readSeq, type Frame } from './frames.ts';
import { CONTROL_FRAME_LIMIT } from './pipe-options.ts';
import { answerError, readVerifyAnswer, type VerifyOp } from './verify-messages.ts';
import type { PipeLink } from './pipe-link.ts';

/** Who is on the other end of a session: authenticated for this pipeline and epoch. */
export interface PipeSession {
  readonly pipeline: string;
  readonly epoch: number;
  /** The select node's address as this node sees it. */
  readonly peer: string;
}

/** What attach() gets besides the session: for a sink that acknowledges on its own (`acksItself`). */
export interface PipeSessionControls {
  /**
   * Batches up to and including `seq` are done with: acknowledged, their room in the window
   * given back. Only batches already handed to onBatch; a lower seq than before does nothing.
   */
  ack(seq: number): void;
  /** Ends the session with `error`, telling the select side its code (as a rejected onBatch does). */
  fail(error: FerryError): void;
}

/** What the load side does with a session's batches; the pipe calls it from one session at a time per pipeline. */
export interface PipeSink {
  /**
   * Where the select side must start reading: read from the target's checkpoint. `request` is
   * what the select side sent with its resume request (PipeClientOptions.resumeRequest). A
   * rejection ends the connection, telling the select side its code.
   */
  resumeAt(request: PipePosition): Promise<PipePosition>;
  /**
   * One batch, in order, never two at once. Resolve once the batch is done with (committed,
   * or for a piece of a large transaction, applied into the open transaction): only then is it
   * acknowledged and its room in the window given back. A rejection ends the session, telling
   * the select side its code. With `acksItself`, resolving only says "next one, please": the
   * batch stays in the window until the sink calls controls.ack, so the load side can hold
   * several batches at once (applying in parallel) while the window still bounds them.
   */
  onBatch(seq: number, payload: Buffer): Promise<void>;
  /** The sink acknowledges through PipeSessionControls.ack rather than by resolving onBatch. @default false */
  readonly acksItself?: boolean;
  /**
   * The session is over, and no onBatch runs any more: undefined when the select side said
   * goodbye, else why (cut, silence, protocol, a newer connection, the consumer's own error).
   * Anything uncommitted must be rolled back here.
   */
  onEnd?(error: FerryError | undefined): void | Promise<void>;
}

export interface PipeSessionStats extends PipeSession {
  bytesReceived: number;
  bytesSent: number;
  /** Bytes received per second over the last seconds: the pipe's throughput. */
  bytesPerSecond: number;
  /** Received, not yet acknowledged (queued or being consumed). */
  inFlightBatches: number;
  inFlightBytes: number;
  batchesAcked: number;
  rttMs: number | undefined;
  /** The connection is over and the session is finishing (its batch in progress, then onEnd). */
  ending: boolean;
}

/**
 * The load side of one authenticated connection: batches in sequence, within the window the
 * server announced (a select side that overruns it broke the protocol, and memory stays
 * bounded here too), consumed one at a time, each acknowledged once its consumer resolved.
 */
export class ServerSession {
  /** Resolves once the link is over, no consumer runs, and onEnd returned. */
  readonly finished: Promise<void>;
  private readonly queue: { seq: number; payload: Buffer }[] = [];
  /** Handed to a sink that acknowledges on its own, not yet acknowledged (`acksItself`). */
  private readonly handed: { seq: number; bytes: number }[] = [];
  private nextSeq = 1;
  private inFlightBatches = 0;
  private inFlightBytes = 0;
  private batchesAcked = 0;
  /** The consumer loop, while it runs (finished() waits for it). */
  private running = false;
  private consuming: Promise<void> | undefined;
  private sink: PipeSink | undefined;
  /** Verify requests sent and not answered, by id. */
  private readonly asked = new Map<number, { resolve: (result: unknown) => void; reject: (error: FerryError) => void }>();
  private lastAsked = 0;
  private resumed = false;

  constructor(
    readonly session: PipeSession,
    private readonly link: PipeLink,
    private readonly limits: WindowLimits,
    private readonly log: Logger,
  ) {
    this.finished = link.ended.then(async (error) => {
      const over = error ?? new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: link.peer, detail: 'the session ended' });
      for (const waiter of this.asked.values()) waiter.reject(over);
      this.asked.clear();
      // A batch being consumed finishes first: the next session's resumeAt must see its commit.
      await this.consuming;
      this.queue.length = 0;
      if (error === undefined) log.info('pipe session ended');
      else log.warn({ code: error.code, err: error }, 'pipe session failed');
      try {
        await this.sink?.onEnd?.(error);
      } catch (endError) {
        log.error({ err: endError }, 'pipe session end handler failed');
      }
    });
  }

  /** Batches flow from now on, into `sink`. */
  start(sink: PipeSink): void {
    this.sink = sink;
    this.link.setHandler((frame) => this.frame(frame));
  }

  /** The select side was told where to start: it reads requests from now on. */
  markResumed(): void {
    this.resumed = true;
  }

  /**
   * Asks the select side a verify question (verify-messages.ts) and resolves with its answer;
   * rejects with the select node's error, or the session's when it ends first.
   */
  verifyRequest(op: VerifyOp, args: Record<string, unknown>): Promise<unknown> {
    if (this.link.isOver || !this.resumed) return Promise.reject(new FerryError('FERRY_ERR_VERIFY_NO_PIPE', { pipeline: this.session.pipeline, detail: this.link.isOver ? 'its session ended' : 'its session is still starting' }));
    const id = ++this.lastAsked;
    const frame = encodeJsonFrame(FrameType.VERIFY_REQUEST, { id, op, args });
    // The select side reads control frames of 64 KiB at most.
    if (frame.length > CONTROL_FRAME_LIMIT) return Promise.reject(new FerryError('FERRY_ERR_VERIFY_TABLE', { table: JSON.stringify(args.table ?? null), detail: `a verify request of ${frame.length} bytes is above the pipe's ${CONTROL_FRAME_LIMIT}-byte control frames (very many or very long column names or keys)` }));
    return new Promise((resolve, reject) => {
      this.asked.set(id, { resolve, reject });
      this.link.write(frame);
    });
  }

  /** Ends the session with `error`, telling the select side. */
  fail(error: FerryError): void {
    this.link.fail(error, true);
  }

  stats(): PipeSessionStats {
    const counters = this.link.counters();
    return {
      ...this.session,
      bytesReceived: counters.bytesIn,
      bytesSent: counters.bytesOut,
      bytesPerSecond: counters.bytesPerSecondIn,
      inFlightBatches: this.inFlightBatches,
      inFlightBytes: this.inFlightBytes,
      batchesAcked: this.batchesAcked,
      rttMs: counters.rttMs,
      ending: this.link.isOver,
    };
  }

  private frame(frame: Frame): void {
    const peer = this.link.peer;
    if (frame.type === FrameType.VERIFY_ANSWER) {
      const answer = readVerifyAnswer(frame.body, peer);
      const waiter = this.asked.get(answer.id);
      if (waiter === undefined) throw protocolError(peer, `a verify answer to request ${answer.id}, which is not waiting`);
      this.asked.delete(answer.id);
      if (answer.error !== undefined) waiter.reject(answerError(answer.error, peer));
      else waiter.resolve(answer.result);
      return;
    }
    if (frame.type !== FrameType.BATCH) throw protocolError(peer, `${frameTypeName(frame.type)} after the handshake, from the select side`);
    const seq = readSeq(frame.body, peer);
    if (seq !== this.nextSeq) throw protocolError(peer, `batch ${seq} where ${this.nextSeq} was due`);
    const payload = frame.body.subarray(SEQ_BYTES);
    if (this.inFlightBatches + 1 > this.limits.maxInFlightBatches || this.inFlightBytes + payload.length > this.limits.maxInFlightBytes) {
      throw protocolError(peer, `batch ${seq} overruns the window (${this.inFlightBatches} batches, ${this.inFlightBytes} bytes in flight; bounds ${this.limits.maxInFlightBatches}, ${this.limits.maxInFlightBytes})`);
    }
    this.nextSeq += 1;
    this.inFlightBatches += 1;
    this.inFlightBytes += payload.length;
    this.queue.push({ seq, payload });
    if (!this.running) {
      this.running = true;
      this.consuming = this.consume();
    }
  }

  /** A sink's own acknowledgement (PipeSessionControls.ack): cumulative, as the frame is. */
  ack(seq: number): void {
    if (this.link.isOver || this.handed.length === 0 || seq < this.handed[0]!.seq) return;
    const last = this.handed[this.handed.length - 1]!.seq;
    if (seq > last) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `the pipe's consumer acknowledged batch ${seq}, but only ${last} was handed to it` });
    while (this.handed.length > 0 && this.handed[0]!.seq <= seq) this.release(this.handed.shift()!.bytes);
    this.link.write(encodeSeqFrame(FrameType.ACK, seq));
  }

  private release(bytes: number): void {
    this.inFlightBatches -= 1;
    this.inFlightBytes -= bytes;
    this.batchesAcked += 1;
  }

  private async consume(): Promise<void> {
    try {
      for (let item = this.queue.shift(); item !== undefined && !this.link.isOver; item = this.queue.shift()) {
        const acksItself = this.sink!.acksItself === true;
        // Handed from the call on: the sink may acknowledge it before its promise resolves.
        if (acksItself) this.handed.push({ seq: item.seq, bytes: item.payload.length });
        try {
          await this.sink!.onBatch(item.seq, item.payload);
        } catch (error) {
          const failure = isFerryError(error) ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: `the pipe's batch consumer failed: ${describeError(error)}` }, { cause: error });
          this.link.fail(failure, true);
          return;
        }
        if (!acksItself) {
          this.release(item.payload.length);
          this.link.write(encodeSeqFrame(FrameType.ACK, item.seq));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
