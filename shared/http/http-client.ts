import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { FerryError, describeError } from '../errors/index.ts';
import { TLS_MIN_VERSION, isTlsHandshakeFailure, type ClientTls } from '../tls/tls-options.ts';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** For the whole exchange, from connecting to the last byte of the answer. */
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  text: string;
}

/** A manager's answers are small; a peer that sends more is not one. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * The one HTTP client of Ferry's own calls to the managers' API (a node's stats, the CLI).
 * node:https rather than the global fetch: fetch takes no CA of its own without undici's
 * Agent, which is not a dependency (a second copy of undici beside Node's, to be kept in step
 * with it), while node:https takes the CA, a client certificate and the minimum version
 * directly, the same options node:tls takes for the later node-to-node pipe.
 *
 * A URL's scheme decides: https:// always verifies the manager's certificate (against `tls.ca`,
 * else the system's CAs) and never falls back to plain HTTP; a refused certificate or a failed
 * handshake is FERRY_ERR_API_TLS_REFUSED, sent nothing.
 */
export class HttpClient {
  // Kept-alive connections: a node reporting every 2 s does one TLS handshake, not one per report.
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent: HttpsAgent;

  constructor(tls?: ClientTls) {
    // Stated even without a CA, so that NODE_TLS_REJECT_UNAUTHORIZED=0 cannot turn the checks off.
    this.httpsAgent = new HttpsAgent({ keepAlive: true, rejectUnauthorized: true, minVersion: TLS_MIN_VERSION, ...tls });
  }

  request(options: HttpRequest): Promise<HttpResponse> {
    const url = new URL(options.url);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return Promise.reject(new FerryError('FERRY_ERR_CLI_USAGE', { detail: `only http and https URLs can be called, got '${options.url}'` }));
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) };
    return new Promise<HttpResponse>((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(url, { method: options.method, headers, agent: secure ? this.httpsAgent : this.httpAgent });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(secure && isTlsHandshakeFailure(error.code) ? new FerryError('FERRY_ERR_API_TLS_REFUSED', { url: url.origin, detail: `${error.code ?? ''}: ${describeError(error)}`.trim() }, { cause: error }) : error);
      });
      request.on('response', (response: IncomingMessage) => {
        readText(response).then((text) => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, text });
        }, (error: Error) => {
          clearTimeout(timer);
          request.destroy();
          reject(error);
        });
      });
      request.end(options.body);
    });
  }

  /** Closes kept-alive connections (they do not hold the process open meanwhile). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_RESPONSE_BYTES) response.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('answer cut off')));
  });
}
