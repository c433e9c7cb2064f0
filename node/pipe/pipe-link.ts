import type { Socket } from 'node:net';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import { isTlsHandshakeFailure } from '../../shared/tls/tls-options.ts';
import { SilenceWatch } from '../select/silence-watch.ts';
import { failureOf, jsonBody, peerFailure } from './control-messages.ts';
import { FrameReader, FrameType, encodeClockFrame, encodeFrame, encodeJsonFrame, frameTypeName, protocolError, readClock, type Frame, type FrameTypeCode } from './frames.ts';
import { Heartbeat } from './heartbeat.ts';
import { RateMeter } from './rate-meter.ts';

/** How long a socket that we ended may take to close before it is destroyed (a dark link never answers). */
const END_GRACE_MS = 5_000;

/** Heartbeats the peer may miss before its silence counts as a dead link. */
export const MISSED_HEARTBEATS = 3;

export interface PipeLinkOptions {
  /** host:port of the other end, for messages and logs. */
  peer: string;
  /** Largest frame read from the peer (pipe-server raises it once the peer is authenticated). */
  inboundLimit: number;
  /** Silence bound until heartbeats start (connecting, authenticating). */
  silenceMs: number;
  /** Whether the TCP (and TLS) connection is up already (server side), or still being made. */
  established: boolean;
  log: Logger;
}

export interface LinkCounters {
  bytesIn: number;
  bytesOut: number;
  bytesPerSecondIn: number;
  bytesPerSecondOut: number;
  rttMs: number | undefined;
}

/**
 * One pipe connection as frames, shared by both sides: it reads frames within a size limit,
 * answers heartbeats, watches for silence, counts bytes, and ends exactly once, with a
 * FerryError or (a BYE, or our own close) without one. Frames the link does not handle itself
 * go to a handler, or queue for next() while a side is still in its handshake.
 */
export class PipeLink {
  /** Resolves once the link is over: the error that ended it, undefined for a clean end. */
  readonly ended: Promise<FerryError | undefined>;
  private resolveEnded!: (error: FerryError | undefined) => void;
  private readonly reader: FrameReader;
  private readonly watch: SilenceWatch;
  private heartbeat: Heartbeat | undefined;
  private readonly queued: Frame[] = [];
  private waiter: { resolve: (frame: Frame) => void; reject: (error: FerryError) => void } | undefined;
  private handler: ((frame: Frame) => void) | undefined;
  private established: boolean;
  /** The silence bound now, and what the link was doing, for the error's message. */
  private boundMs: number;
  private phase = 'while connecting';
  private over = false;
  private outcome: FerryError | undefined;
  private bytesIn = 0;
  private bytesOut = 0;
  private readonly inRate = new RateMeter();
  private readonly outRate = new RateMeter();

  constructor(private readonly socket: Socket, private readonly options: PipeLinkOptions) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.established = options.established;
    this.reader = new FrameReader(options.inboundLimit, options.peer);
    this.boundMs = options.silenceMs;
    this.watch = new SilenceWatch(options.silenceMs, (silentMs) => this.silent(silentMs));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(this.socketError(error), false));
    socket.on('end', () => this.fail(new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: options.peer, detail: 'the other end closed the connection without a goodbye' }), false));
    socket.on('close', () => this.fail(new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: options.peer, detail: 'the connection was closed' }), false));
  }

  get peer(): string {
    return this.options.peer;
  }

  get isOver(): boolean {
    return this.over;
  }

  /** The TCP (and TLS) connection is up: errors from now on are not connect errors. */
  markEstablished(): void {
    this.established = true;
  }

  setInboundLimit(limit: number): void {
    this.reader.setLimit(limit);
  }

  /**
   * Heartbeats every `intervalMs` from now on, and a silence bound of MISSED_HEARTBEATS of the
   * peer's interval, or `silenceMs` if larger.
   */
  startHeartbeats(intervalMs: number, silenceMs: number, peerIntervalMs: number): void {
    if (this.over) return;
    this.boundMs = Math.max(silenceMs, MISSED_HEARTBEATS * peerIntervalMs);
    this.phase = 'while running';
    this.watch.setBound(this.boundMs);
    this.heartbeat = new Heartbeat(intervalMs, (clock) => this.write(encodeClockFrame(FrameType.HEARTBEAT, clock)));
    this.heartbeat.start();
  }

  /** The next frame the link does not handle itself (handshakes); rejects once the link is over. */
  next(): Promise<Frame> {
    const frame = this.queued.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    if (this.over) return Promise.reject(this.outcome ?? this.cleanEndError());
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** next(), which must be of `type`. */
  async expect(type: FrameTypeCode): Promise<Frame> {
    const frame = await this.next();
    if (frame.type !== type) throw protocolError(this.peer, `${frameTypeName(frame.type)} where ${frameTypeName(type)} belongs`);
    return frame;
  }

  /** Every further frame goes to `handler`, queued ones first. */
  setHandler(handler: (frame: Frame) => void): void {
    this.handler = handler;
    for (const frame of this.queued.splice(0)) if (!this.over) this.dispatch(frame);
  }

  /** Hands bytes to the socket (nothing once the link is over). */
  write(...buffers: Buffer[]): void {
    if (this.over) return;
    // A batch's header and payload leave in one writev, not a small packet and then the rest.
    this.socket.cork();
    for (const buffer of buffers) {
      this.bytesOut += buffer.length;
      this.outRate.add(buffer.length);
      this.socket.write(buffer);
    }
    this.socket.uncork();
  }

  counters(): LinkCounters {
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      bytesPerSecondIn: this.inRate.perSecond(),
      bytesPerSecondOut: this.outRate.perSecond(),
      rttMs: this.heartbeat?.rttMs,
    };
  }

  /** Ends on purpose: a BYE, then the end of the stream. */
  close(): void {
    if (this.over) return;
    this.write(encodeFrame(FrameType.BYE));
    this.finish(undefined);
    this.endSocket();
  }

  /**
   * Ends with `error`. `tellPeer`: send it an ERROR frame first (it broke the protocol, its
   * consumer failed, it was replaced), or a REFUSE (its hello); otherwise the socket is
   * destroyed at once (nobody would hear).
   */
  fail(error: FerryError, tellPeer: boolean, as: typeof FrameType.ERROR | typeof FrameType.REFUSE = FrameType.ERROR): void {
    if (this.over) return;
    if (tellPeer) {
      this.write(encodeJsonFrame(as, failureOf(error)));
      this.finish(error);
      this.endSocket();
    } else {
      this.finish(error);
      this.socket.destroy();
    }
  }

  private receive(chunk: Buffer): void {
    if (this.over) return;
    this.bytesIn += chunk.length;
    this.inRate.add(chunk.length);
    this.watch.heard();
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.fail(isFerryError(error) ? error : new FerryError('FERRY_ERR_PIPE_PROTOCOL', { peer: this.peer, detail: describeError(error) }), true);
      return;
    }
    for (const frame of frames) {
      if (this.over) return;
      try {
        this.dispatch(frame);
      } catch (error) {
        this.fail(isFerryError(error) ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error }), true);
      }
    }
  }

  private dispatch(frame: Frame): void {
    switch (frame.type) {
      case FrameType.HEARTBEAT:
        this.write(encodeClockFrame(FrameType.HEARTBEAT_ACK, readClock(frame.body, this.peer)));
        return;
      case FrameType.HEARTBEAT_ACK:
        this.heartbeat?.echoed(readClock(frame.body, this.peer));
        return;
      case FrameType.ERROR:
        this.fail(peerFailure(jsonBody(frame, this.peer), this.peer), false);
        return;
      case FrameType.BYE:
        this.options.log.debug({ peer: this.peer }, 'pipe peer said goodbye');
        this.finish(undefined);
        this.endSocket();
        return;
      default:
        if (this.handler !== undefined) this.handler(frame);
        else if (this.waiter !== undefined) {
          const { resolve } = this.waiter;
          this.waiter = undefined;
          resolve(frame);
        } else if (this.queued.length < 16) this.queued.push(frame);
        else throw new FerryError('FERRY_ERR_PIPE_PROTOCOL', { peer: this.peer, detail: `${frameTypeName(frame.type)} frames sent ahead of the handshake` });
    }
  }

  private silent(silentMs: number): void {
    const { boundMs, phase } = this;
    this.options.log.warn({ peer: this.peer, silentMs, boundMs, phase }, 'pipe silent: taking the link as broken');
    this.fail(new FerryError('FERRY_ERR_PIPE_SILENT', { peer: this.peer, silentMs: Math.round(silentMs), boundMs, phase }), false);
  }

  private socketError(error: NodeJS.ErrnoException): FerryError {
    const detail = `${error.code ?? 'no code'}: ${describeError(error)}`;
    if (isTlsHandshakeFailure(error.code)) return new FerryError('FERRY_ERR_PIPE_TLS_REFUSED', { peer: this.peer, detail }, { cause: error });
    if (!this.established) return new FerryError('FERRY_ERR_PIPE_CONNECT', { peer: this.peer, detail }, { cause: error });
    return new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: this.peer, detail }, { cause: error });
  }

  private cleanEndError(): FerryError {
    return new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: this.peer, detail: 'it was closed on purpose' });
  }

  private finish(error: FerryError | undefined): void {
    this.over = true;
    this.outcome = error;
    this.watch.stop();
    this.heartbeat?.stop();
    this.queued.length = 0;
    if (this.waiter !== undefined) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error ?? this.cleanEndError());
    }
    this.resolveEnded(error);
  }

  private endSocket(): void {
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), END_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }
}
