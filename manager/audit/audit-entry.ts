import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * One audited API request: who (token name and role, or none when the sign-in failed), from
 * where, what (method, route and actual path, the request body with its secrets redacted),
 * when, through which manager, and how it ended (status, and the error code of a refusal).
 */
export interface AuditEntry {
  /** ZooKeeper's sequence number of the entry's znode, as a decimal string; orders entries. */
  id: string;
  /** When the manager received the request (its clock; display only, order by id). */
  at: string;
  manager: string;
  method: string;
  /** The route's URL pattern, e.g. /api/v1/channels/:name; null for a URL no route serves. */
  route: string | null;
  /** The URL path as sent, without the query string. */
  path: string;
  /** The query string as sent, without '?'; absent when there was none. */
  query?: string;
  /** The token's name; null when no token was accepted (a failed sign-in). */
  by: string | null;
  role: string | null;
  /** The client's address as the manager saw it (request.ip). */
  ip: string;
  status: number;
  /** Ferry's error code when the request was refused or failed. */
  code?: string;
  /** The JSON body with secrets redacted (a refused request's: only its shape, see bodyShape); a body too large is left out (bodyBytes says its size). */
  body?: unknown;
  bodyBytes?: number;
}

/** An entry before ZooKeeper gave it its id. */
export type AuditDraft = Omit<AuditEntry, 'id'>;

/** Methods that change nothing: not audited, unless their sign-in failed. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Writes are audited, and so is every failed sign-in (401), whatever its method. A URL no
 * route serves is not: it needs no token and changes nothing, so anyone could fill the log
 * (and push real entries out of its retention) with them.
 */
export function isAudited(method: string, status: number, route: string | undefined): boolean {
  if (route === undefined) return false;
  return !READ_METHODS.has(method) || status === 401;
}

/** Field names whose values are secrets wherever they appear in a body. */
const SECRET_NAME = /password|secret|token|credential|passphrase|private.?key|authorization/i;
export const REDACTED = '[redacted]';
/** Bodies larger than this (as JSON) are not stored, only their size: entries stay small znodes. */
export const MAX_STORED_BODY_CHARS = 4_096;

/**
 * A copy of a JSON body with the value of every field named like a secret replaced by
 * '[redacted]', at any depth and inside arrays. Strings sealed by the secret store
 * ('ferry-secret:...') are redacted too, whatever their field is called.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === 'string') return value.startsWith('ferry-secret:') ? REDACTED : value;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = SECRET_NAME.test(key) && field !== null && field !== undefined ? REDACTED : redactSecrets(field);
  return copy;
}

/**
 * A body's shape: its field names, every value replaced by its JSON type ('string', 'number',
 * ...), at any depth. What a refused request's entry keeps: validation refuses unknown fields
 * only after the body was read, so a refused body may hold a secret under any name (a password
 * pasted into a misspelt field), which redaction by name cannot catch.
 */
export function bodyShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bodyShape);
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, bodyShape(field)]));
}

/**
 * The stored form of a request body: redacted when the request succeeded (then every field
 * passed the route's strict schema, so secrets are where redaction looks for them), only its
 * shape when it was refused, and only its size when it is too large.
 */
export function storedBody(body: unknown, status = 200): Pick<AuditEntry, 'body' | 'bodyBytes'> {
  if (body === undefined || body === null) return {};
  const redacted = status >= 400 ? bodyShape(body) : redactSecrets(body);
  const text = JSON.stringify(redacted);
  return text.length <= MAX_STORED_BODY_CHARS ? { body: redacted } : { bodyBytes: Buffer.byteLength(JSON.stringify(body)) };
}

/** The query string with the value of every parameter named like a secret redacted. */
export function redactQuery(query: string): string {
  const params = new URLSearchParams(query);
  if (![...params.keys()].some((name) => SECRET_NAME.test(name))) return query;
  for (const name of new Set(params.keys())) if (SECRET_NAME.test(name)) params.set(name, REDACTED);
  return params.toString();
}

/** The entry of a request once it was answered; `code` is the error code the answer carried. */
export function draftOf(request: FastifyRequest, reply: FastifyReply, managerId: string, receivedAt: Date, code: string | undefined): AuditDraft {
  const [path = '', query] = request.url.split(/\?(.*)/s, 2);
  const principal = request.principal;
  return {
    at: receivedAt.toISOString(),
    manager: managerId,
    method: request.method,
    route: request.routeOptions.url ?? null,
    path,
    ...(query ? { query: redactQuery(query) } : {}),
    by: principal?.name ?? null,
    role: principal?.role ?? null,
    ip: request.ip,
    status: reply.statusCode,
    ...(code === undefined ? {} : { code }),
    ...storedBody(request.body, reply.statusCode),
  };
}
