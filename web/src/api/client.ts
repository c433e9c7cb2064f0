import type { paths } from './openapi.d.ts';
import type { ErrorBody } from './responses.ts';
import { connection } from './connection.ts';

/**
 * The console's only way to the API: this manager's /api/v1 (same origin), with the signed-in
 * token. Request bodies and path parameters are typed from the generated OpenAPI types.
 */

/** The API refused a request: its code, message and what to do. */
export class ApiError extends Error {
  readonly code: string;
  readonly workaround: string;
  readonly status: number;
  /** A 400's problems, one per field: JSON pointers into the body sent ('/master/port'). */
  readonly problems: ReadonlyArray<{ path: string; message: string }>;
  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.code = body.code;
    this.workaround = body.workaround;
    this.status = status;
    const errors = body.details?.errors;
    this.problems = Array.isArray(errors) ? errors.filter((e): e is { path: string; message: string } => typeof (e as { path?: unknown }).path === 'string' && typeof (e as { message?: unknown }).message === 'string') : [];
  }
}

/** The manager did not answer at all (down, network cut). */
export class UnreachableError extends Error {}

type PostPath = { [P in keyof paths]: paths[P] extends { post: object } ? P : never }[keyof paths];
type PostOp<P extends PostPath> = paths[P] extends { post: infer Op } ? Op : never;
type PathParams<Op> = Op extends { parameters: { path: infer Params } } ? (Params extends object ? Params : Record<string, never>) : Record<string, never>;
type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : undefined;

export type GetPath = { [P in keyof paths]: paths[P] extends { get: object } ? P : never }[keyof paths];

/** `/api/v1/channels/{name}/pause` with `{name: 'orders'}` → `/api/v1/channels/orders/pause`. */
function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(params[key] ?? ''));
}

export interface Api {
  get<T>(path: GetPath, query?: Record<string, string | undefined>, params?: Record<string, string>): Promise<T>;
  post<P extends PostPath>(path: P, params: PathParams<PostOp<P>>, body: JsonBody<PostOp<P>>): Promise<unknown>;
  /** POST, PUT (a full replacement, If-Match the version read) or DELETE of any path: the configuration pages. */
  send(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, ifMatch?: number): Promise<unknown>;
}

/** The API's error body, or one made up for an answer that is not from Ferry (a proxy's page). */
function errorBody(response: Response, text: string): ErrorBody {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof body.code === 'string' && typeof body.message === 'string') {
      return { code: body.code, message: body.message, workaround: body.workaround ?? '', ...(typeof body.details === 'object' && body.details !== null ? { details: body.details } : {}) };
    }
  } catch {
    // Not JSON: described below.
  }
  return { code: `HTTP ${response.status}`, message: response.statusText || 'the request failed', workaround: 'The answer did not come from a Ferry manager: check what stands between the browser and it (a proxy, a load balancer).' };
}

export function createApi(token: string): Api {
  const call = async <T>(method: string, url: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
      });
    } catch {
      connection.failed();
      throw new UnreachableError(`${location.host} did not answer`);
    }
    connection.answered();
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, errorBody(response, text));
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    get: <T>(path: GetPath, query: Record<string, string | undefined> = {}, params: Record<string, string> = {}) => {
      const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
      const suffix = search.size > 0 ? `?${search.toString()}` : '';
      return call<T>('GET', fill(path, params) + suffix);
    },
    post: (path, params, body) => call('POST', fill(path, params as Record<string, string>), body ?? {}),
    send: (method, path, body, ifMatch) => call(method, path, body, ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
  };
}
