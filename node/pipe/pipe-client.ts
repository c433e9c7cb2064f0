import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { FerryError, isFerryError } from '../../shared/errors/index.ts';
import { silentLogger, type Logger } from '../../shared/logging.ts';
import type { ClientTls } from '../../shared/tls/tls-options.ts';
import { PIPE_PROTOCOL_VERSION, countField, hexField, jsonBody, refusalError, type PipePosition } from './control-messages.ts';
import { SendWindow, agreedWindow, type WindowLimits } from './flow-control.ts';
import { FrameType, batchHeader, encodeJsonFrame, frameTypeName, protocolError, readSeq, type Frame } from './frames.ts';
import { NONCE_BYTES, newNonce, proof, proofMatches } from './pipe-auth.ts';
import { PipeLink } from './pipe-link.ts';
import { readVerifyRequest, type VerifyAnswerMessage, type VerifyRequestMessage } from './verify-messages.ts';
import { CONTROL_FRAME_LIMIT, MAX_PEER_HEARTBEAT_MS, resolveTuning, type PipeTuning } from './pipe-options.ts';

export interface PipeClientOptions extends PipeTuning {
  /** The load node's pipe address (its --pipe-advertise). */
  host: string;
  port: number;
  pipeline: string;
  /** The assignment epoch both sides were given with the secret. */
  epoch: number;
  /** The per-assignment secret from this node's assignment; never sent. */
  secret: Buffer | string;
  /** TLS to the load node (shared/tls clientTls); plain TCP without. */
  tls?: ClientTls;
  /** Sent with the resume request, for the load side's resumeAt (any JSON value). @default null */
  resumeRequest?: PipePosition;
  /**
   * Answers the load node's verify requests (verify-messages.ts) from the source: resolves
   * with the result, or rejects with the FerryError to send back. @default none: every request
   * is answered FERRY_ERR_VERIFY_NO_PIPE
   */
  answerVerify?: (request: VerifyRequestMessage) => Promise<unknown>;
  log?: Logger;
}

export interface PipeClientStats {
  bytesSent: number;
  bytesReceived: number;
  /** Bytes sent per second over the last seconds: the pipe's throughput. */
  bytesPerSecond: number;
  inFlightBatches: number;
  inFlightBytes: number;
  batchesSent: number;
  batchesAcked: number;
  /** Smoothed heartbeat round trip; undefined until the first echo. */
  rttMs: number | undefined;
}

/**
 * The select side's end of a pipe: one connection for one pipeline and epoch. open()
 * connects, proves the assignment secret (and checks the load side proves it too), and asks
 * where to start; `resumeAt` is the answer, from the target's checkpoint. send() numbers
 * batches and waits while the window is full, so a slow load side slows whoever sends.
 * A connection that fails is over: `ended` says why, and a new one (open() again) resumes
 * from the load side's answer, whatever this one had in flight.
 */
export class PipeClient {
  /** Where the select side must start reading: the load side's answer to the resume request. */
  readonly resumeAt: PipePosition;
  /** Resolves once the connection is over: why, or undefined after close(). */
  readonly ended: Promise<FerryError | undefined>;
  private readonly window: SendWindow;
  private readonly inFlight: { seq: number; bytes: number }[] = [];
  private lastSeq = 0;
  private batchesAcked = 0;
  private failure: FerryError | undefined;
  private closing = false;
  private readonly drainWaiters: { resolve: () => void; reject: (error: FerryError) => void }[] = [];

  private constructor(
    private readonly link: PipeLink,
    private readonly limits: WindowLimits,
    private readonly maxBatchBytes: number,
    resumeAt: PipePosition,
    private readonly answerVerify: PipeClientOptions['answerVerify'],
    private readonly pipeline: string,
  ) {
    this.resumeAt = resumeAt;
    this.window = new SendWindow(limits);
    link.setHandler((frame) => this.frame(frame));
    this.ended = link.ended.then((error) => {
      const failure = error ?? new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: link.peer, detail: this.closing ? 'closed by this node' : 'the load node closed it on purpose' });
      this.failure = failure;
      this.window.fail(failure);
      for (const waiter of this.drainWaiters.splice(0)) waiter.reject(failure);
      return this.closing && error === undefined ? undefined : failure;
    });
  }

  /** Connects, authenticates both ways and asks where to start. Rejects with the FerryError that stopped it. */
  static async open(options: PipeClientOptions): Promise<PipeClient> {
    const tuning = resolveTuning(options);
    if (options.secret.length === 0) throw new FerryError('FERRY_ERR_CONFIG_INVALID', { detail: `pipe: the assignment of pipeline ${options.pipeline} has an empty secret` });
    const peer = `${options.host}:${options.port}`;
    const log = (options.log ?? silentLogger()).child({ component: 'pipe-client', pipeline: options.pipeline, peer });
    const socket: Socket = options.tls === undefined
      ? netConnect({ host: options.host, port: options.port })
      // A certificate names an IP in subjectAltName; SNI takes only host names.
      : tlsConnect({ host: options.host, port: options.port, ...options.tls, ...(isIP(options.host) === 0 ? { servername: options.host } : {}) });
    const link = new PipeLink(socket, { peer, inboundLimit: CONTROL_FRAME_LIMIT, silenceMs: tuning.silenceMs, established: false, log });
    socket.once(options.tls === undefined ? 'connect' : 'secureConnect', () => link.markEstablished());
    try {
      const first = await link.next();
      // A server refuses before its challenge when it refused this node's TLS certificate.
      if (first.type === FrameType.REFUSE) throw refusalError(jsonBody(first, peer), peer);
      if (first.type !== FrameType.CHALLENGE) throw protocolError(peer, `${frameTypeName(first.type)} where challenge belongs`);
      const challenge = jsonBody(first, peer);
      const version = countField(challenge, 'version', peer);
      if (version !== PIPE_PROTOCOL_VERSION) throw protocolError(peer, `the load node speaks pipe protocol ${version}, this node ${PIPE_PROTOCOL_VERSION}: run the same Ferry version on both`);
      const input = { pipeline: options.pipeline, epoch: options.epoch, serverNonce: hexField(challenge, 'nonce', NONCE_BYTES, peer), clientNonce: newNonce() };
      link.write(encodeJsonFrame(FrameType.HELLO, {
        version: PIPE_PROTOCOL_VERSION, pipeline: options.pipeline, epoch: options.epoch, nonce: input.clientNonce.toString('hex'),
        proof: proof(options.secret, 'client', input).toString('hex'), heartbeatMs: tuning.heartbeatMs,
      }));
      const answer = await link.next();
      if (answer.type === FrameType.REFUSE) throw refusalError(jsonBody(answer, peer), peer);
      if (answer.type !== FrameType.HELLO_OK) throw protocolError(peer, `${frameTypeName(answer.type)} where hello-ok or refuse belongs`);
      const ok = jsonBody(answer, peer);
      // Batches carry rows: none goes to a server that cannot show it holds the same secret.
      if (!proofMatches(options.secret, 'server', input, hexField(ok, 'proof', 32, peer))) {
        throw new FerryError('FERRY_ERR_PIPE_AUTH_FAILED', { peer, pipeline: options.pipeline, epoch: options.epoch, side: 'load side' });
      }
      const limits = agreedWindow(tuning.window, { maxInFlightBatches: countField(ok, 'maxInFlightBatches', peer), maxInFlightBytes: countField(ok, 'maxInFlightBytes', peer) });
      if (limits.maxInFlightBatches < 1) throw protocolError(peer, 'a window of no batch');
      const maxBatchBytes = Math.min(tuning.maxBatchBytes, countField(ok, 'maxBatchBytes', peer), limits.maxInFlightBytes);
      link.startHeartbeats(tuning.heartbeatMs, tuning.silenceMs, Math.min(countField(ok, 'heartbeatMs', peer), MAX_PEER_HEARTBEAT_MS));
      link.write(encodeJsonFrame(FrameType.RESUME_REQUEST, { request: options.resumeRequest ?? null }));
      const resume = jsonBody(await link.expect(FrameType.RESUME_AT), peer);
      if (!('position' in resume)) throw protocolError(peer, 'resume-at without a position');
      log.info({ epoch: options.epoch, window: limits, maxBatchBytes }, 'pipe connected');
      return new PipeClient(link, limits, maxBatchBytes, resume.position as PipePosition, options.answerVerify, options.pipeline);
    } catch (error) {
      const failure = isFerryError(error) ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: String(error) }, { cause: error });
      link.fail(failure, failure.code === 'FERRY_ERR_PIPE_PROTOCOL');
      throw failure;
    }
  }

  /**
   * Sends one batch once the window has room for it; resolves with its sequence number once
   * it is handed to the connection (not once acknowledged: see drained()). Call it from one
   * sender, one batch after another; a failed connection rejects it with its error.
   */
  async send(payload: Buffer): Promise<number> {
    this.throwIfOver();
    if (payload.length > this.maxBatchBytes) throw new FerryError('FERRY_ERR_PIPE_BATCH_TOO_LARGE', { bytes: payload.length, limit: this.maxBatchBytes });
    await this.window.acquire(payload.length);
    // The connection may have ended in the turn between the room being freed and now.
    this.throwIfOver();
    const seq = ++this.lastSeq;
    this.inFlight.push({ seq, bytes: payload.length });
    this.link.write(batchHeader(seq, payload.length), payload);
    return seq;
  }

  /** Resolves once every batch sent so far is acknowledged. */
  drained(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** The highest sequence number acknowledged so far (acks are cumulative): 0 before the first. */
  get ackedThrough(): number {
    return this.batchesAcked;
  }

  /** The largest payload send() takes: the smaller of both sides' bounds. */
  get batchLimit(): number {
    return this.maxBatchBytes;
  }

  /** The window both sides agreed on. */
  get windowLimits(): WindowLimits {
    return this.limits;
  }

  stats(): PipeClientStats {
    const counters = this.link.counters();
    return {
      bytesSent: counters.bytesOut,
      bytesReceived: counters.bytesIn,
      bytesPerSecond: counters.bytesPerSecondOut,
      inFlightBatches: this.window.inFlightBatches,
      inFlightBytes: this.window.inFlightBytes,
      batchesSent: this.lastSeq,
      batchesAcked: this.batchesAcked,
      rttMs: counters.rttMs,
    };
  }

  /**
   * Says goodbye and closes at once; batches in flight are abandoned (the next connection
   * resumes from the target's checkpoint). drained() first for a close that loses nothing.
   */
  close(): void {
    this.closing = true;
    this.link.close();
  }

  /**
   * Gives up on the connection with `error`, telling the load side (an ERROR frame with its
   * code): a select side that failed ends the load side's session at once, not after silence.
   */
  fail(error: FerryError): void {
    this.closing = true;
    this.link.fail(error, true);
  }

  private throwIfOver(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Answers one verify request; the answer's size is bounded by what the load node reads (its batch bound). */
  private async answer(request: VerifyRequestMessage): Promise<void> {
    let answer: VerifyAnswerMessage;
    try {
      if (this.answerVerify === undefined) throw new FerryError('FERRY_ERR_VERIFY_NO_PIPE', { pipeline: this.pipeline, detail: 'this select side does not answer verify requests' });
      answer = { id: request.id, result: await this.answerVerify(request) };
    } catch (error) {
      const failure = isFerryError(error) ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: String(error) }, { cause: error });
      answer = { id: request.id, error: { code: failure.code, message: failure.message, details: failure.details } };
    }
    let frame = encodeJsonFrame(FrameType.VERIFY_ANSWER, answer);
    if (frame.length > this.maxBatchBytes) {
      const failure = new FerryError('FERRY_ERR_VERIFY_TABLE', { table: JSON.stringify(request.args.table ?? null), detail: `the source's answer to a verify ${request.op} is ${frame.length} bytes, above the pipe's batch bound of ${this.maxBatchBytes}` });
      frame = encodeJsonFrame(FrameType.VERIFY_ANSWER, { id: request.id, error: { code: failure.code, message: failure.message, details: failure.details } });
    }
    if (!this.link.isOver) this.link.write(frame);
  }

  private frame(frame: Frame): void {
    if (frame.type === FrameType.VERIFY_REQUEST) {
      void this.answer(readVerifyRequest(frame.body, this.link.peer));
      return;
    }
    if (frame.type !== FrameType.ACK) throw protocolError(this.link.peer, `${frameTypeName(frame.type)} after the handshake, from the load side`);
    const seq = readSeq(frame.body, this.link.peer);
    const oldest = this.inFlight[0];
    if (oldest === undefined || seq < oldest.seq || seq > this.lastSeq) throw protocolError(this.link.peer, `ack ${seq} while ${oldest === undefined ? 'nothing' : `${oldest.seq}..${this.lastSeq}`} is in flight`);
    // An ack covers every batch up to its number: the load side consumes in order.
    while (this.inFlight.length > 0 && this.inFlight[0]!.seq <= seq) {
      const { bytes } = this.inFlight.shift()!;
      this.batchesAcked += 1;
      this.window.release(bytes);
    }
    if (this.inFlight.length === 0) for (const waiter of this.drainWaiters.splice(0)) waiter.resolve();
  }
}
