import { ERROR_CODES, type ErrorCode } from '../../shared/errors/codes.ts';
import { FerryError, describeError, isFerryError } from '../../shared/errors/index.ts';
import type { HttpRequest, HttpResponse } from '../../shared/http/http-client.ts';

/** How ctl reaches a manager: shared/http's HttpClient, or a fake in tests. */
export interface CtlTransport {
  request(options: HttpRequest): Promise<HttpResponse>;
}

/** An answer of the API: its status and parsed JSON body (undefined for 204). */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** The error object every API error answers with (docs/api.md, Errors). */
interface ErrorBody {
  code: string;
  message: string;
  workaround?: string;
  details?: Record<string, unknown>;
}

/**
 * An error the manager answered, shown as the one line Ferry prints for its own errors, with
 * the manager's code, message and workaround (a newer manager's code this build does not know
 * is shown as it came).
 */
export class RemoteApiError extends FerryError {
  constructor(readonly status: number, readonly remote: ErrorBody) {
    super(remote.code in ERROR_CODES ? (remote.code as ErrorCode) : 'FERRY_ERR_CTL_BAD_ANSWER', remote.details ?? {});
    this.message = remote.message;
  }

  override toLine(): string {
    return `${this.remote.code}: ${this.remote.message}. What to do: ${this.remote.workaround ?? this.workaround}`;
  }
}

/** Connection failures where nothing reached the manager: any request may go to the next one. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

const TIMEOUT_MS = 30_000;

/**
 * Calls the API of the first manager that answers, in the order given. A request goes to the
 * next manager when the connection fails; a write only when nothing was sent (a refused or
 * unresolved connection), so that a write the first manager may have applied is never sent twice.
 */
export class CtlApiClient {
  constructor(
    private readonly managers: readonly string[],
    private readonly token: string,
    private readonly transport: CtlTransport,
  ) {}

  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
    const failures: string[] = [];
    let tlsRefused: FerryError | undefined;
    for (const base of this.managers) {
      const url = `${base}/api/v1${path}`;
      let response: HttpResponse;
      try {
        response = await this.transport.request({
          method,
          url,
          headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          timeoutMs: TIMEOUT_MS,
        });
      } catch (error) {
        if (isFerryError(error, 'FERRY_ERR_API_TLS_REFUSED')) tlsRefused ??= error;
        else if (isFerryError(error)) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        failures.push(`${base}: ${code ?? describeError(error)}`);
        if (method === 'GET' || isFerryError(error, 'FERRY_ERR_API_TLS_REFUSED') || (code !== undefined && NOT_SENT.has(code))) continue;
        // A write that may have reached the manager: said as it is, never sent again elsewhere.
        throw new FerryError('FERRY_ERR_CTL_UNREACHABLE', { managers: base, detail: `${describeError(error)} (the ${method} may have been applied: check before repeating it)` }, { cause: error });
      }
      return answerOf(url, response);
    }
    if (tlsRefused !== undefined && failures.length === 1) throw tlsRefused;
    throw new FerryError('FERRY_ERR_CTL_UNREACHABLE', { managers: this.managers.join(', '), detail: failures.join('; ') });
  }

  get(path: string): Promise<ApiAnswer> {
    return this.call('GET', path);
  }

  post(path: string, body?: unknown): Promise<ApiAnswer> {
    return this.call('POST', path, body);
  }
}

function answerOf(url: string, response: HttpResponse): ApiAnswer {
  const { status, text } = response;
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    throw new FerryError('FERRY_ERR_CTL_BAD_ANSWER', { url, status, detail: `not JSON (${describeError(error)}): ${text.slice(0, 80)}` });
  }
  if (status >= 200 && status < 300) return { status, body };
  if (isErrorBody(body)) throw new RemoteApiError(status, body);
  throw new FerryError('FERRY_ERR_CTL_BAD_ANSWER', { url, status, detail: `no error object: ${text.slice(0, 80)}` });
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as ErrorBody).code === 'string' && typeof (body as ErrorBody).message === 'string';
}
