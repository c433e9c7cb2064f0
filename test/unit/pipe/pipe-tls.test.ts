import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PipeClient, pipeTls } from '../../../node/pipe/index.ts';
import type { FerryError } from '../../../shared/errors/index.ts';
import { clientTls, serverTls, type TlsFiles } from '../../../shared/tls/tls-options.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';
import { clientOptions, rejection, sendEvents, startLoadSide, type FakeLoadSide } from './pipe-fixture.ts';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates({ peers: true });
});
afterAll(() => certs.remove());

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function loadSide(files: TlsFiles | undefined): Promise<FakeLoadSide> {
  const side = await startLoadSide(files === undefined ? {} : { tls: serverTls(files, 'node') });
  cleanups.push(() => side.server.close());
  return side;
}

/** Opens, streams a few batches and closes: the pipe works over this TLS. */
async function roundTrip(port: number, files: TlsFiles, side: FakeLoadSide): Promise<void> {
  const client = await PipeClient.open(clientOptions(port, { tls: clientTls(files, 'node') }));
  cleanups.push(() => client.close());
  await sendEvents(client, client.resumeAt as number, (client.resumeAt as number) + 50);
  await client.drained();
  client.close();
  expect(side.anomalies).toEqual([]);
}

describe('pipe over TLS', () => {
  it('streams to a server whose certificate the client\'s CA signed, and refuses one it did not, or plain TCP', async () => {
    const side = await loadSide({ cert: certs.peerCert, key: certs.peerKey });
    await roundTrip(side.port, { ca: certs.ca }, side);
    expect(side.committed).toHaveLength(50);
    const wrongCa = await rejection(PipeClient.open(clientOptions(side.port, { tls: clientTls({ ca: certs.otherCa }, 'node') })));
    expect(wrongCa.code).toBe('FERRY_ERR_PIPE_TLS_REFUSED');
    expect(wrongCa.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // A select node without TLS flags hears no challenge from a TLS server.
    const plain = await rejection(PipeClient.open(clientOptions(side.port, { silenceMs: 1_000 })));
    expect(plain.code).toBe('FERRY_ERR_PIPE_SILENT');
    expect(plain.details).toMatchObject({ phase: 'while connecting' });
    expect(side.sessions).toHaveLength(1);
  });

  it('a TLS client refuses a server without TLS', async () => {
    const side = await loadSide(undefined);
    const error = await rejection(PipeClient.open(clientOptions(side.port, { tls: clientTls({ ca: certs.ca }, 'node') })));
    expect(error.code).toBe('FERRY_ERR_PIPE_TLS_REFUSED');
    expect(side.sessions).toEqual([]);
  });

  it('mutual TLS: a server given a CA admits only clients with a certificate that CA signed', async () => {
    const side = await loadSide({ cert: certs.peerCert, key: certs.peerKey, ca: certs.ca });
    await roundTrip(side.port, { ca: certs.ca, cert: certs.peerCert, key: certs.peerKey }, side);
    const noCertificate = await rejection(PipeClient.open(clientOptions(side.port, { tls: clientTls({ ca: certs.ca }, 'node') })));
    expect(noCertificate.code).toBe('FERRY_ERR_PIPE_TLS_REFUSED');
    expect(noCertificate.message).toContain('refused this node\'s certificate: none was presented');
    const stranger = await rejection(PipeClient.open(clientOptions(side.port, { tls: clientTls({ ca: certs.ca, cert: certs.strangerCert, key: certs.strangerKey }, 'node') })));
    expect(stranger.code).toBe('FERRY_ERR_PIPE_TLS_REFUSED');
    expect(stranger.message).toContain('refused this node\'s certificate: UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(side.sessions).toHaveLength(1);
    expect(side.committed).toHaveLength(50);
  });

  it('pipeTls: one set of node flags makes both ends, mutual with a CA; none is plain TCP; a CA alone is refused', async () => {
    expect(pipeTls({})).toBeUndefined();
    const refused = (() => {
      try {
        pipeTls({ ca: certs.ca });
      } catch (error) {
        return error as FerryError;
      }
      return undefined;
    })();
    expect(refused?.code).toBe('FERRY_ERR_TLS_FILE_INVALID');
    const tls = pipeTls({ cert: certs.peerCert, key: certs.peerKey, ca: certs.ca })!;
    expect(tls.server.requestCert).toBe(true);
    const side = await startLoadSide({ tls: tls.server });
    cleanups.push(() => side.server.close());
    const client = await PipeClient.open(clientOptions(side.port, { tls: tls.client }));
    cleanups.push(() => client.close());
    await sendEvents(client, 0, 5);
    await client.drained();
    expect(side.committed).toEqual([0, 1, 2, 3, 4]);
  });
});
