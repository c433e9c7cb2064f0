import { connect, type Socket } from 'node:net';
import { vi } from 'vitest';
import type { FerryError } from '../../../shared/errors/index.ts';
import { PipeClient, PipeServer, type PipeClientOptions, type PipeServerOptions, type PipeSession } from '../../../node/pipe/index.ts';
import { FrameReader, type Frame } from '../../../node/pipe/frames.ts';

export const PIPELINE = 'orders';
export const EPOCH = 3;
export const SECRET = 'the secret of assignment 3';

/** Waits on a state, never on the clock: the deadline only says how long a failure takes. */
export async function until(condition: () => boolean, timeout = 120_000): Promise<void> {
  await vi.waitFor(() => {
    if (!condition()) throw new Error('not yet');
  }, { timeout, interval: 10 });
}

/**
 * A load side over a fake target: a payload is one source event number (decimal text), and
 * "committing" it appends it and moves the checkpoint past it, as the loader would in one
 * transaction. An event that is not the one right after the checkpoint is recorded as an
 * anomaly: something was lost or doubled.
 */
export interface FakeLoadSide {
  server: PipeServer;
  port: number;
  committed: number[];
  checkpoint: number;
  anomalies: string[];
  sessions: PipeSession[];
  /** Each session's end, in order: undefined for a goodbye, else the error. */
  ends: (FerryError | undefined)[];
  /** Checkpoints the resume requests were answered with. */
  resumes: number[];
}

export interface FakeLoadOptions extends Partial<PipeServerOptions> {
  /** Runs before each commit, to slow the consumer down or hold it. */
  beforeCommit?: (event: number, seq: number) => Promise<void>;
}

export async function startLoadSide(options: FakeLoadOptions = {}): Promise<FakeLoadSide> {
  const side: Omit<FakeLoadSide, 'server' | 'port'> = { committed: [], checkpoint: 0, anomalies: [], sessions: [], ends: [], resumes: [] };
  const { beforeCommit, ...serverOptions } = options;
  const server = await PipeServer.listen({
    host: '127.0.0.1',
    port: 0,
    authorize: (pipeline, epoch) => (pipeline !== PIPELINE ? undefined : epoch === EPOCH ? SECRET : { heldEpoch: EPOCH }),
    attach: (session) => {
      side.sessions.push(session);
      return {
        resumeAt: () => {
          side.resumes.push(side.checkpoint);
          return Promise.resolve(side.checkpoint);
        },
        onBatch: async (seq, payload) => {
          const event = Number(payload.toString('utf8'));
          await beforeCommit?.(event, seq);
          if (event !== side.checkpoint) side.anomalies.push(`event ${event} arrived at checkpoint ${side.checkpoint}`);
          else {
            side.committed.push(event);
            side.checkpoint = event + 1;
          }
        },
        onEnd: (error) => {
          side.ends.push(error);
        },
      };
    },
    ...serverOptions,
  });
  const fake: FakeLoadSide = Object.assign(side, { server, port: server.address.port });
  return fake;
}

export function clientOptions(port: number, overrides: Partial<PipeClientOptions> = {}): PipeClientOptions {
  return { host: '127.0.0.1', port, pipeline: PIPELINE, epoch: EPOCH, secret: SECRET, ...overrides };
}

/** The select side: sends events from `from` (the resume answer) up to `to`, one batch each. */
export async function sendEvents(client: PipeClient, from: number, to: number): Promise<void> {
  for (let event = from; event < to; event++) await client.send(Buffer.from(String(event), 'utf8'));
}

/** The error `work` rejects with (it must reject). */
export async function rejection(work: Promise<unknown>): Promise<FerryError> {
  try {
    await work;
  } catch (error) {
    return error as FerryError;
  }
  throw new Error('expected a rejection');
}

/** A raw TCP peer that reads frames, for what a PipeClient would never send. */
export class RawPeer {
  readonly frames: Frame[] = [];
  closed = false;
  private readonly reader = new FrameReader(1 << 20, 'test');

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.frames.push(...this.reader.push(chunk)));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static async connect(port: number): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawPeer(socket);
  }

  async frame(index: number): Promise<Frame> {
    await until(() => this.frames.length > index);
    return this.frames[index]!;
  }
}
