import { afterEach, describe, expect, it, vi } from 'vitest';
import { PipeClient } from '../../../node/pipe/index.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { FrameReader, FrameType, batchHeader, encodeFrame, encodeJsonFrame, encodeSeqFrame } from '../../../node/pipe/frames.ts';
import { proof } from '../../../node/pipe/pipe-auth.ts';
import { CONTROL_FRAME_LIMIT } from '../../../node/pipe/pipe-options.ts';
import { EPOCH, PIPELINE, RawPeer, SECRET, clientOptions, startLoadSide, until, type FakeLoadSide } from './pipe-fixture.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function thrown(work: () => unknown): FerryError {
  try {
    work();
  } catch (error) {
    return error as FerryError;
  }
  throw new Error('expected a throw');
}

describe('pipe frames', () => {
  it('reassembles frames however the stream is cut', () => {
    const frames = [encodeJsonFrame(FrameType.HELLO, { pipeline: 'p' }), encodeSeqFrame(FrameType.ACK, 42), Buffer.concat([batchHeader(7, 3), Buffer.from('abc')]), encodeFrame(FrameType.BYE)];
    const stream = Buffer.concat(frames);
    for (const step of [1, 2, 3, 5, 7, stream.length]) {
      const reader = new FrameReader(1024, 'test');
      const read = [];
      for (let at = 0; at < stream.length; at += step) read.push(...reader.push(stream.subarray(at, at + step)));
      expect(read.map((frame) => frame.type)).toEqual([FrameType.HELLO, FrameType.ACK, FrameType.BATCH, FrameType.BYE]);
      expect(JSON.parse(read[0]!.body.toString())).toEqual({ pipeline: 'p' });
      expect(read[1]!.body.readBigUInt64BE(0)).toBe(42n);
      expect(read[2]!.body.subarray(8).toString()).toBe('abc');
    }
  });

  it('refuses a length above the limit on its 4 bytes alone, and empty or unknown frames', () => {
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0xffff_fff0);
    const tooLarge = thrown(() => new FrameReader(1024, 'peer-a').push(huge));
    expect(tooLarge.code).toBe('FERRY_ERR_PIPE_FRAME_TOO_LARGE');
    expect(tooLarge.details).toEqual({ peer: 'peer-a', bytes: 0xffff_fff0, limit: 1024 });
    expect(thrown(() => new FrameReader(1024, 'peer-a').push(Buffer.alloc(4))).code).toBe('FERRY_ERR_PIPE_PROTOCOL');
    expect(thrown(() => new FrameReader(1024, 'peer-a').push(Buffer.from([0, 0, 0, 1, 0x7f]))).message).toContain('unknown frame type 0x7f');
  });
});

describe('pipe server limits', () => {
  async function loadSide(options: Parameters<typeof startLoadSide>[0] = {}): Promise<FakeLoadSide> {
    const side = await startLoadSide({ maxBatchBytes: 256 * 1024, ...options });
    cleanups.push(() => side.server.close());
    return side;
  }

  async function peer(port: number): Promise<RawPeer> {
    const raw = await RawPeer.connect(port);
    cleanups.push(() => raw.socket.destroy());
    return raw;
  }

  it('disconnects an unauthenticated peer that announces a frame above the control limit, with the code', async () => {
    const side = await loadSide();
    const raw = await peer(side.port);
    expect((await raw.frame(0)).type).toBe(FrameType.CHALLENGE);
    // Below the batch limit, but no one may send that much before proving the secret.
    const head = Buffer.alloc(4);
    head.writeUInt32BE(CONTROL_FRAME_LIMIT + 1);
    raw.socket.write(head);
    const error = await raw.frame(1);
    expect(error.type).toBe(FrameType.ERROR);
    expect(JSON.parse(error.body.toString())).toMatchObject({ code: 'FERRY_ERR_PIPE_FRAME_TOO_LARGE', details: { bytes: CONTROL_FRAME_LIMIT + 1, limit: CONTROL_FRAME_LIMIT } });
    await until(() => raw.closed);
    expect(side.sessions).toEqual([]);
  });

  it('disconnects an authenticated peer whose batch exceeds the batch limit, and the session ends with the code', async () => {
    const side = await loadSide();
    const raw = await peer(side.port);
    const challenge = JSON.parse((await raw.frame(0)).body.toString()) as { nonce: string };
    const clientNonce = Buffer.alloc(32, 7);
    const input = { pipeline: PIPELINE, epoch: EPOCH, serverNonce: Buffer.from(challenge.nonce, 'hex'), clientNonce };
    raw.socket.write(encodeJsonFrame(FrameType.HELLO, { version: 1, pipeline: PIPELINE, epoch: EPOCH, nonce: clientNonce.toString('hex'), proof: proof(SECRET, 'client', input).toString('hex'), heartbeatMs: 1000 }));
    expect((await raw.frame(1)).type).toBe(FrameType.HELLO_OK);
    raw.socket.write(encodeJsonFrame(FrameType.RESUME_REQUEST, {}));
    await until(() => raw.frames.some((frame) => frame.type === FrameType.RESUME_AT));
    // A batch exactly at the limit is read; one byte more is refused on its header.
    raw.socket.write(Buffer.concat([batchHeader(1, 256 * 1024), Buffer.alloc(256 * 1024, 0x30)]));
    await until(() => raw.frames.some((frame) => frame.type === FrameType.ACK));
    raw.socket.write(batchHeader(2, 256 * 1024 + 1));
    await until(() => raw.frames.some((frame) => frame.type === FrameType.ERROR));
    const error = raw.frames.find((frame) => frame.type === FrameType.ERROR)!;
    expect(JSON.parse(error.body.toString())).toMatchObject({ code: 'FERRY_ERR_PIPE_FRAME_TOO_LARGE', details: { bytes: 1 + 8 + 256 * 1024 + 1, limit: 1 + 8 + 256 * 1024 } });
    await until(() => raw.closed && side.ends.length === 1);
    expect(side.ends[0]?.code).toBe('FERRY_ERR_PIPE_FRAME_TOO_LARGE');
    expect(side.committed).toEqual([0]);
  });

  it('disconnects a peer that keeps sending a byte now and then but no hello', async () => {
    const side = await loadSide({ silenceMs: 500 });
    const raw = await peer(side.port);
    expect((await raw.frame(0)).type).toBe(FrameType.CHALLENGE);
    // A frame of 256 bytes announced, then its body one byte at a time: never silent, never done.
    raw.socket.write(Buffer.from([0, 0, 1, 0, FrameType.HELLO]));
    const trickle = setInterval(() => raw.socket.write(Buffer.from('{')), 50);
    cleanups.push(() => clearInterval(trickle));
    await until(() => raw.closed);
    const error = raw.frames.find((frame) => frame.type === FrameType.ERROR);
    expect(JSON.parse(error!.body.toString())).toMatchObject({ code: 'FERRY_ERR_PIPE_PROTOCOL', details: { detail: 'no hello within 1000 ms of connecting' } });
    expect(side.sessions).toEqual([]);
  });

  it('closes connections beyond maxHandshakes unauthenticated ones at once; authenticated sessions do not count', async () => {
    const side = await loadSide({ maxHandshakes: 2 });
    const client = await PipeClient.open(clientOptions(side.port));
    cleanups.push(() => client.close());
    const first = await peer(side.port);
    const second = await peer(side.port);
    await first.frame(0);
    await second.frame(0);
    const third = await peer(side.port);
    await until(() => third.closed);
    expect(third.frames).toEqual([]);
    // A stranger that leaves makes room again.
    first.socket.destroy();
    await until(() => first.closed);
    await until(() => side.server.stats().length === 1);
    const fourth = await vi.waitFor(async () => {
      const raw = await peer(side.port);
      await until(() => raw.frames.length > 0 || raw.closed);
      if (raw.closed) throw new Error('not yet');
      return raw;
    }, { timeout: 120_000, interval: 50 });
    expect(fourth.frames[0]!.type).toBe(FrameType.CHALLENGE);
  });
});
