import type { FastifyError, FastifyInstance } from 'fastify';
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
 * - unknown routes: 404 FERRY_ERR_API_NOT_FOUND;
 * - anything else: 500 FERRY_ERR_INTERNAL, logged with the error.
 */

/** The error a thrown value becomes on the wire. */
export function toResponseError(error: unknown): { error: FerryError; unexpected: boolean } {
  if (error instanceof FerryError) {
    // A configuration refused by resolvePipeline is the caller's input: answer it as a 400.
    if (isFerryError(error, 'FERRY_ERR_CONFIG_INVALID') && Array.isArray(error.details.errors)) {
      return { error: badRequest(error.details.errors as ConfigProblem[]), unexpected: false };
    }
    return { error, unexpected: error.http >= 500 && error.scope === 'internal' };
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
  return { error: new FerryError('FERRY_ERR_INTERNAL', { detail: describeError(error) }, { cause: error }), unexpected: true };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { error: answer, unexpected } = toResponseError(error);
    if (unexpected) request.log.error({ err: error, method: request.method, url: request.url }, 'request failed');
    else if (answer.http >= 500) request.log.warn({ code: answer.code, detail: answer.message, method: request.method, url: request.url }, 'request failed');
    else request.log.debug({ code: answer.code, method: request.method, url: request.url }, 'request refused');
    return reply.code(answer.http).type('application/json').send(answer.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'route', name: `${request.method} ${request.url.split('?')[0]}` });
    return reply.code(404).type('application/json').send(answer.toJSON());
  });
}
