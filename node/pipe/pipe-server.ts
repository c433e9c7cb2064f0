import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import { silentLogger, type Logger } from '../../shared/logging.ts';
import { settleWithin } from '../../shared/timeouts.ts';
import type { ServerTls } from '../../shared/tls/tls-options.ts';
import { PIPE_PROTOCOL_VERSION, countField, hexField, jsonBody, stringField, type PipePosition } from './control-messages.ts';
import { FrameType, SEQ_BYTES, encodeJsonFrame, protocolError } from './frames.ts';
import { NONCE_BYTES, newNonce, proof, proofMatches } from './pipe-auth.ts';
import { PipeLink } from './pipe-link.ts';
import { CONTROL_FRAME_LIMIT, MAX_PEER_HEARTBEAT_MS, resolveTuning, type PipeTuning, type ResolvedTuning } from './pipe-options.ts';
import { ServerSession, type PipeSession, type PipeSessionControls, type PipeSessionStats, type PipeSink } from './server-session.ts';

/**
 * What the node answers for a hello: the secret of its current assignment of that pipeline
 * and epoch (Buffer or string), undefined when it holds no such assignment, or `{ heldEpoch }`
 * when it holds the pipeline under another epoch (the client then learns whose is stale).
 */
export type PipeAuthorization = Buffer | string | undefined | { readonly heldEpoch: number };

export interface PipeServerOptions extends PipeTuning {
  /** --pipe-listen: the address to bind; port 0 picks a free one. */
  host: string;
  port: number;
  /** TLS (shared/tls serverTls); mutual when it was given a CA. Plain TCP without. */
  tls?: ServerTls;
  authorize(pipeline: string, epoch: number): PipeAuthorization | Promise<PipeAuthorization>;
  /** The load side of an authenticated session; called after any older session of the pipeline has finished. */
  attach(session: PipeSession, controls: PipeSessionControls): PipeSink | Promise<PipeSink>;
  /**
   * Connections still before their hello-ok (unauthenticated) at once; more are closed at
   * once, so that strangers at the port cannot take the node's memory or descriptors. @default 64
   */
  maxHandshakes?: number;
  log?: Logger;
}

/**
 * The load node's pipe listener: one port for every pipeline the node loads, one connection
 * per pipeline (each authenticated for its own assignment, with its own window, so a slow
 * target of one pipeline never stalls another's stream, and a pipeline's failure ends only
 * its own connection). A pipeline has at most one live session: a newer authenticated
 * connection replaces the older one once the older one's batch in progress has settled.
 */
export class PipeServer {
  private readonly sessions = new Map<string, ServerSession>();
  /** Links still in their handshake (closed with the server). */
  private readonly pending = new Set<PipeLink>();
  /** Of those, the ones not yet authenticated (bounded by maxHandshakes). */
  private readonly strangers = new Set<PipeLink>();
  /** Per pipeline, the hand-over in progress, so two reconnects take turns. */
  private readonly handovers = new Map<string, Promise<void>>();
  private readonly tuning: ResolvedTuning;
  private readonly log: Logger;
  private closed = false;

  private constructor(private readonly server: Server, private readonly options: PipeServerOptions) {
    this.tuning = resolveTuning(options);
    this.log = (options.log ?? silentLogger()).child({ component: 'pipe-server' });
  }

  static async listen(options: PipeServerOptions): Promise<PipeServer> {
    // Mutual TLS: the client's certificate is checked here (accept) rather than by Node, which
    // would drop the connection without a word to either side; this way the client hears why
    // and the refusal is logged. Nothing else is read or written on such a connection.
    const server = options.tls === undefined ? createNetServer() : createTlsServer({ ...options.tls, rejectUnauthorized: false });
    const pipe = new PipeServer(server, options);
    server.on(options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => pipe.accept(socket));
    const log = pipe.log;
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      // The peer never reached the hello: logged here, as its side sees only a closed connection or an alert.
      log.warn({ code: 'FERRY_ERR_PIPE_TLS_REFUSED', peer: `${socket.remoteAddress}:${socket.remotePort}`, detail: `${error.code ?? 'no code'}: ${describeError(error)}` }, 'pipe TLS handshake refused');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new FerryError('FERRY_ERR_PIPE_LISTEN', { host: options.host, port: options.port, detail: error.code ?? describeError(error) }, { cause: error })));
      server.listen(options.port, options.host, () => resolve());
    });
    server.on('error', (error) => log.error({ err: error }, 'pipe listener failed'));
    log.info({ address: pipe.address, tls: options.tls !== undefined, mutual: options.tls?.requestCert ?? false }, 'pipe listening');
    return pipe;
  }

  get address(): { host: string; port: number } {
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  /** Every live session, for stats and the channel view. */
  stats(): PipeSessionStats[] {
    return [...this.sessions.values()].map((session) => session.stats());
  }

  /** Ends a pipeline's session (the node dropped its assignment, a ROLLBACK): the select side hears `error`. */
  /** The pipeline's live session, if any (a verify job asks its select side through it). */
  session(pipeline: string): ServerSession | undefined {
    return this.sessions.get(pipeline);
  }

  async endSession(pipeline: string, error: FerryError): Promise<void> {
    const session = this.sessions.get(pipeline);
    if (session === undefined) return;
    session.fail(error);
    await session.finished;
  }

  /** Stops listening, says goodbye on every session and waits until each has finished. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const link of this.pending) link.fail(new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: link.peer, detail: 'the load node stops' }), false);
    const sessions = [...this.sessions.values()];
    for (const session of sessions) session.fail(new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: session.session.peer, detail: 'the load node stops' }));
    await Promise.all(sessions.map((session) => session.finished));
    await stopped;
  }

  private accept(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.strangers.size >= (this.options.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES)) {
      this.log.warn({ peer, handshakes: this.strangers.size }, 'pipe connection dropped: too many handshakes at once');
      socket.destroy();
      return;
    }
    const link = new PipeLink(socket, { peer, inboundLimit: CONTROL_FRAME_LIMIT, silenceMs: this.tuning.silenceMs, established: true, log: this.log });
    if (this.options.tls?.requestCert === true && !(socket as TLSSocket).authorized) {
      // Node names a missing certificate UNABLE_TO_GET_ISSUER_CERT; say what happened instead.
      const presented = Object.keys((socket as TLSSocket).getPeerCertificate()).length > 0;
      const detail = `the load node refused this node's certificate: ${presented ? String((socket as TLSSocket).authorizationError) : 'none was presented (--pipe-tls-cert, --pipe-tls-key)'}`;
      this.log.warn({ code: 'FERRY_ERR_PIPE_TLS_REFUSED', peer, detail }, 'pipe client certificate refused');
      link.fail(refusal('FERRY_ERR_PIPE_TLS_REFUSED', { peer, detail }), true, FrameType.REFUSE);
      return;
    }
    this.pending.add(link);
    this.strangers.add(link);
    void this.handshake(link).finally(() => {
      this.pending.delete(link);
      this.strangers.delete(link);
    });
  }

  private async handshake(link: PipeLink): Promise<void> {
    const peer = link.peer;
    let hello: { pipeline: string; epoch: number } | undefined;
    try {
      const serverNonce = newNonce();
      link.write(encodeJsonFrame(FrameType.CHALLENGE, { version: PIPE_PROTOCOL_VERSION, nonce: serverNonce.toString('hex') }));
      // Silence alone does not bound a peer that trickles a byte now and then: the hello has a deadline of its own.
      const helloMs = 2 * this.tuning.silenceMs;
      const helloFrame = await settleWithin(link.expect(FrameType.HELLO), helloMs, LATE);
      if (helloFrame === LATE) throw protocolError(peer, `no hello within ${helloMs} ms of connecting`);
      const body = jsonBody(helloFrame, peer);
      const version = countField(body, 'version', peer);
      if (version !== PIPE_PROTOCOL_VERSION) throw protocolError(peer, `the select node speaks pipe protocol ${version}, this node ${PIPE_PROTOCOL_VERSION}: run the same Ferry version on both`);
      hello = { pipeline: stringField(body, 'pipeline', peer), epoch: countField(body, 'epoch', peer) };
      const input = { ...hello, serverNonce, clientNonce: hexField(body, 'nonce', NONCE_BYTES, peer) };
      const claimed = hexField(body, 'proof', 32, peer);
      const peerHeartbeatMs = Math.min(countField(body, 'heartbeatMs', peer), MAX_PEER_HEARTBEAT_MS);
      const grant = await this.options.authorize(hello.pipeline, hello.epoch);
      if (grant === undefined) {
        throw refusal('FERRY_ERR_PIPE_NOT_ASSIGNED', { peer, ...hello });
      }
      if (typeof grant === 'object' && !Buffer.isBuffer(grant)) {
        throw refusal('FERRY_ERR_PIPE_EPOCH_STALE', { peer, ...hello, heldEpoch: grant.heldEpoch });
      }
      // An empty key would let anyone who guesses "empty" in: a bug upstream, never a grant.
      if (grant.length === 0) throw new FerryError('FERRY_ERR_INTERNAL', { detail: `authorize gave an empty secret for pipeline ${hello.pipeline}` });
      if (!proofMatches(grant, 'client', input, claimed)) {
        throw refusal('FERRY_ERR_PIPE_AUTH_FAILED', { peer, ...hello, side: 'select side' });
      }
      const { window, maxBatchBytes, heartbeatMs, silenceMs } = this.tuning;
      link.write(encodeJsonFrame(FrameType.HELLO_OK, { proof: proof(grant, 'server', input).toString('hex'), ...window, maxBatchBytes, heartbeatMs }));
      this.strangers.delete(link);
      // Authenticated: batches up to the limit may come now, and not one byte larger.
      link.setInboundLimit(1 + SEQ_BYTES + maxBatchBytes);
      link.startHeartbeats(heartbeatMs, silenceMs, peerHeartbeatMs);
      const resume = jsonBody(await link.expect(FrameType.RESUME_REQUEST), peer);
      await this.openSession(link, { ...hello, peer }, (resume.request ?? null) as PipePosition);
    } catch (error) {
      const failure = isFerryError(error) ? error : new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error });
      if (failure instanceof Refusal) {
        this.log.warn({ code: failure.code, peer, ...hello, detail: failure.message }, 'pipe hello refused');
        link.fail(failure, true, FrameType.REFUSE);
      } else {
        if (!link.isOver) this.log.warn({ code: failure.code, peer, ...hello, err: failure }, 'pipe handshake failed');
        link.fail(failure, true);
      }
    }
  }

  /** Waits for the pipeline's older session to finish, then starts this one: attach, resume-at, batches. */
  private async openSession(link: PipeLink, session: PipeSession, request: PipePosition): Promise<void> {
    const before = this.handovers.get(session.pipeline) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.handovers.set(session.pipeline, mine);
    try {
      await before;
      if (this.closed) throw new FerryError('FERRY_ERR_PIPE_CLOSED', { peer: session.peer, detail: 'the load node stops' });
      const older = this.sessions.get(session.pipeline);
      if (older !== undefined) {
        older.fail(new FerryError('FERRY_ERR_PIPE_SUPERSEDED', { peer: older.session.peer, pipeline: session.pipeline, epoch: session.epoch }));
        await older.finished;
      }
      if (link.isOver) return;
      const log = this.log.child({ pipeline: session.pipeline, epoch: session.epoch, peer: session.peer });
      const serverSession = new ServerSession(session, link, this.tuning.window, log);
      this.sessions.set(session.pipeline, serverSession);
      void serverSession.finished.then(() => {
        if (this.sessions.get(session.pipeline) === serverSession) this.sessions.delete(session.pipeline);
      });
      // Batches come only after resume-at; the sink is in place before, so that its onEnd runs
      // however the session ends from here.
      const sink = await this.options.attach(session, { ack: (seq) => serverSession.ack(seq), fail: (error) => serverSession.fail(error) });
      serverSession.start(sink);
      const position = await sink.resumeAt(request);
      link.write(encodeJsonFrame(FrameType.RESUME_AT, { position }));
      serverSession.markResumed();
      log.info({ position }, 'pipe session started');
    } finally {
      done();
      if (this.handovers.get(session.pipeline) === mine) this.handovers.delete(session.pipeline);
    }
  }
}

const LATE = Symbol('late');
const DEFAULT_MAX_HANDSHAKES = 64;

/** A hello refused: sent to the client as REFUSE, logged here as a warning. */
class Refusal extends FerryError {}

function refusal(code: 'FERRY_ERR_PIPE_NOT_ASSIGNED' | 'FERRY_ERR_PIPE_EPOCH_STALE' | 'FERRY_ERR_PIPE_AUTH_FAILED' | 'FERRY_ERR_PIPE_TLS_REFUSED', details: Record<string, unknown>): Refusal {
  return new Refusal(code, details);
}
