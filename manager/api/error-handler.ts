import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConfigProblem } from '../../shared/config/pipeline-spec.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import { badRequest } from '../config/bad-request.ts';
import { validationProblems, type AjvError } from './validation-errors.ts';

/**
 * The one place errors become responses, always `FerryError.toJSON()` with its HTTP status:
 * - FerryError: as it is (404, 409, 400 with details.errors, 503 for ZooKeeper trouble);
 * - fastify's schema validation: FERRY_ERR_API_BAD_REQUEST listing every problem;
 * - any other client error fastify raises (malformed JSON, wrong content type, body too
 *   large): FERRY_ERR_API_BAD_REQUEST, never a 500;
 * - fastify's routing errors (a bad URL encoding, a path parameter too long) and Node's
 *   HTTP parser errors (headers or URL too large): FERRY_ERR_API_BAD_REQUEST as well;
 * - unknown routes: 404 FERRY_ERR_API_NOT_FOUND;
 * - anything else: 500 FERRY_ERR_INTERNAL with a reference id only. The error's own text may
 *   hold internal detail (paths, hosts, SQL), so it goes to the log under that id, never to
 *   the caller.
 */

/** The error a thrown value becomes on the wire. */
export function toResponseError(error: unknown): { error: FerryError; unexpected: boolean } {
  if (error instanceof FerryError) {
    // A configuration refused by resolvePipeline is the caller's input: answer it as a 400.
    if (isFerryError(error, 'FERRY_ERR_CONFIG_INVALID') && Array.isArray(error.details.errors)) {
      return { error: badRequest(error.details.errors as ConfigProblem[]), unexpected: false };
    }
    if (error.http >= 500 && error.scope === 'internal') return { error: internalError(error), unexpected: true };
    return { error, unexpected: false };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    const context = fastifyError.validationContext ?? 'body';
    // Body problems are JSON pointers into the body; others say which part they are in.
    return { error: badRequest(validationProblems(fastifyError.validation, context === 'body' ? '' : `${context}:`)), unexpected: false };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { error: badRequest([{ path: '', message: describeError(error) }]), unexpected: false };
  }
  return { error: internalError(error), unexpected: true };
}

/** FERRY_ERR_INTERNAL naming only a fresh reference id, which the log line carries too. */
function internalError(cause: unknown): FerryError {
  const reference = randomUUID();
  return new FerryError('FERRY_ERR_INTERNAL', { detail: `reference ${reference}`, reference }, { cause });
}

/** A problem with the request line itself, as the caller's bad request. */
function badUrl(message: string): FerryError {
  return badRequest([{ path: 'url', message }]);
}

/** fastify's `frameworkErrors`: errors raised while routing, before any handler or hook. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const answer = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? badUrl('a path segment is longer than 100 characters (names are at most 64)')
    : error.code === 'FST_ERR_BAD_URL'
      ? badUrl('is not a valid URL (bad percent-encoding)')
      : badUrl(describeError(error));
  request.log.debug({ code: answer.code, cause: error.code }, 'request refused');
  void reply.code(answer.http).type('application/json').send(answer.toJSON());
}

/**
 * fastify's `clientErrorHandler`: Node's HTTP parser refused the request (headers or URL too
 * large, malformed request line) before fastify saw it. The answer is written on the socket.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy(error);
    return;
  }
  const message = error.code === 'HPE_HEADER_OVERFLOW'
    ? 'the request line and headers are larger than the server accepts (16 KiB)'
    : 'is not a valid HTTP request';
  const answer = badRequest([{ path: error.code === 'HPE_HEADER_OVERFLOW' ? 'headers' : '', message }]);
  const body = JSON.stringify(answer.toJSON());
  socket.end(`HTTP/1.1 ${answer.http} Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { error: answer, unexpected } = toResponseError(error);
    if (unexpected) request.log.error({ err: error, reference: answer.details.reference, method: request.method, url: request.url }, 'request failed');
    else if (answer.http >= 500) request.log.warn({ code: answer.code, detail: answer.message, method: request.method, url: request.url }, 'request failed');
    else request.log.debug({ code: answer.code, method: request.method, url: request.url }, 'request refused');
    if (typeof answer.details.retryAfterSeconds === 'number') void reply.header('retry-after', String(answer.details.retryAfterSeconds));
    return reply.code(answer.http).type('application/json').send(answer.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'route', name: `${request.method} ${request.url.split('?')[0]}` });
    return reply.code(404).type('application/json').send(answer.toJSON());
  });
}
