import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FerryError } from '../../../shared/errors/index.ts';
import { HttpClient } from '../../../shared/http/http-client.ts';
import { clientTls, serverTls } from '../../../shared/tls/tls-options.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';

let certs: TestCertificates;
let server: Server;
let port: number;
/** Requests that reached the server's handler: a refused client must never add one. */
const received: string[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  server = createServer({ ...serverTls({ cert: certs.cert, key: certs.key }, 'test') }, (request, response) => {
    received.push(request.url ?? '');
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  certs.remove();
});

async function refusal(client: HttpClient, url: string): Promise<FerryError> {
  try {
    await client.request({ method: 'POST', url, body: '{"secret":1}', timeoutMs: 60_000 });
  } catch (error) {
    return error as FerryError;
  } finally {
    client.close();
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('HttpClient over https', () => {
  it('talks to a server whose certificate the given CA signed', async () => {
    const client = new HttpClient(clientTls({ ca: certs.ca }, 'test'));
    try {
      expect(await client.request({ method: 'POST', url: `https://127.0.0.1:${port}/ok`, body: '{}', timeoutMs: 60_000 })).toEqual({ status: 200, text: '{"ok":true}' });
    } finally {
      client.close();
    }
    expect(received).toContain('/ok');
  });

  it('refuses, sending nothing, a certificate no trusted CA signed and a name the certificate does not list', async () => {
    const before = received.length;
    const withoutCa = await refusal(new HttpClient(), `https://127.0.0.1:${port}/no-ca`);
    const wrongCa = await refusal(new HttpClient(clientTls({ ca: certs.otherCa }, 'test')), `https://127.0.0.1:${port}/wrong-ca`);
    const wrongName = await refusal(new HttpClient(clientTls({ ca: certs.ca }, 'test')), `https://localhost:${port}/wrong-name`);
    for (const error of [withoutCa, wrongCa, wrongName]) expect(error.code).toBe('FERRY_ERR_API_TLS_REFUSED');
    expect(wrongCa.message).toContain(`TLS to the manager https://127.0.0.1:${port} failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE`);
    expect(wrongName.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(received.length).toBe(before);
  });

  it('keeps checking certificates when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
    vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
    try {
      expect((await refusal(new HttpClient(), `https://127.0.0.1:${port}/env`)).code).toBe('FERRY_ERR_API_TLS_REFUSED');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses a peer that speaks plain HTTP on an https:// URL', async () => {
    const plain = createHttpServer((_request, response) => response.end('plain'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const error = await refusal(new HttpClient(clientTls({ ca: certs.ca }, 'test')), `https://127.0.0.1:${(plain.address() as AddressInfo).port}/`);
      expect(error.code).toBe('FERRY_ERR_API_TLS_REFUSED');
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
