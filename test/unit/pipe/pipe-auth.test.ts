import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PipeClient } from '../../../node/pipe/index.ts';
import { FrameReader, FrameType, encodeJsonFrame, type Frame } from '../../../node/pipe/frames.ts';
import { newNonce, proof, proofMatches } from '../../../node/pipe/pipe-auth.ts';
import { EPOCH, PIPELINE, SECRET, clientOptions, rejection, startLoadSide, until, type FakeLoadSide } from './pipe-fixture.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function loadSide(): Promise<FakeLoadSide> {
  const side = await startLoadSide();
  cleanups.push(() => side.server.close());
  return side;
}

describe('pipe authentication', () => {
  it('binds a proof to its side, pipeline, epoch and both nonces', () => {
    const input = { pipeline: PIPELINE, epoch: EPOCH, serverNonce: newNonce(), clientNonce: newNonce() };
    const claimed = proof(SECRET, 'client', input);
    expect(proofMatches(SECRET, 'client', input, claimed)).toBe(true);
    expect(proofMatches('another secret', 'client', input, claimed)).toBe(false);
    expect(proofMatches(SECRET, 'server', input, claimed)).toBe(false);
    expect(proofMatches(SECRET, 'client', { ...input, pipeline: 'other' }, claimed)).toBe(false);
    expect(proofMatches(SECRET, 'client', { ...input, epoch: EPOCH + 1 }, claimed)).toBe(false);
    expect(proofMatches(SECRET, 'client', { ...input, serverNonce: newNonce() }, claimed)).toBe(false);
    expect(proofMatches(SECRET, 'client', { ...input, clientNonce: newNonce() }, claimed)).toBe(false);
    expect(proofMatches(SECRET, 'client', input, claimed.subarray(0, 16))).toBe(false);
  });

  it('refuses a wrong secret, a stale epoch and an unknown pipeline, each with its code, before any session starts', async () => {
    const side = await loadSide();
    const wrongSecret = await rejection(PipeClient.open(clientOptions(side.port, { secret: 'the secret of assignment 2' })));
    expect(wrongSecret.code).toBe('FERRY_ERR_PIPE_AUTH_FAILED');
    expect(wrongSecret.details).toMatchObject({ pipeline: PIPELINE, epoch: EPOCH, side: 'select side', peer: `127.0.0.1:${side.port}` });
    const stale = await rejection(PipeClient.open(clientOptions(side.port, { epoch: EPOCH - 1 })));
    expect(stale.code).toBe('FERRY_ERR_PIPE_EPOCH_STALE');
    expect(stale.details).toMatchObject({ pipeline: PIPELINE, epoch: EPOCH - 1, heldEpoch: EPOCH });
    const unknown = await rejection(PipeClient.open(clientOptions(side.port, { pipeline: 'invoices' })));
    expect(unknown.code).toBe('FERRY_ERR_PIPE_NOT_ASSIGNED');
    expect(unknown.message).toContain('pipeline invoices epoch 3 is not assigned');
    expect(side.sessions).toEqual([]);
    expect(side.resumes).toEqual([]);
    expect((await rejection(PipeClient.open(clientOptions(side.port, { secret: '' })))).code).toBe('FERRY_ERR_CONFIG_INVALID');
    // The right secret still gets in.
    const client = await PipeClient.open(clientOptions(side.port));
    client.close();
    expect(side.sessions).toHaveLength(1);
  });

  it('never grants on an empty secret, whatever authorize says', async () => {
    const side = await startLoadSide({ authorize: () => '' });
    cleanups.push(() => side.server.close());
    const error = await rejection(PipeClient.open(clientOptions(side.port)));
    expect(error.code).toBe('FERRY_ERR_PIPE_PEER_FAILED');
    expect(error.details).toMatchObject({ peerCode: 'FERRY_ERR_INTERNAL' });
    expect(side.sessions).toEqual([]);
  });

  it('sends no batch to a server that cannot prove the secret, and never sends the secret itself', async () => {
    const received: Buffer[] = [];
    const frames: Frame[] = [];
    const impostor = createServer((socket: Socket) => {
      const reader = new FrameReader(1 << 20, 'test');
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        for (const frame of reader.push(chunk)) {
          frames.push(frame);
          // It takes any hello and answers with a proof it cannot have made.
          if (frame.type === FrameType.HELLO) {
            socket.write(encodeJsonFrame(FrameType.HELLO_OK, { proof: newNonce().toString('hex'), maxInFlightBatches: 8, maxInFlightBytes: 1 << 20, maxBatchBytes: 1 << 16, heartbeatMs: 1000 }));
          }
        }
      });
      socket.write(encodeJsonFrame(FrameType.CHALLENGE, { version: 1, nonce: newNonce().toString('hex') }));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => impostor.close(resolve)));
    const port = (impostor.address() as AddressInfo).port;
    const error = await rejection(PipeClient.open(clientOptions(port)));
    expect(error.code).toBe('FERRY_ERR_PIPE_AUTH_FAILED');
    expect(error.details).toMatchObject({ side: 'load side' });
    await until(() => frames.length >= 1);
    expect(frames.map((frame) => frame.type)).toEqual([FrameType.HELLO]);
    const wire = Buffer.concat(received);
    expect(wire.includes(Buffer.from(SECRET))).toBe(false);
    expect(wire.includes(Buffer.from(SECRET).toString('hex'))).toBe(false);
  });
});
