import { HttpClient } from '../../shared/http/http-client.ts';

/** The demo's calls to the manager's REST API (docs/api.md), through Ferry's one HTTP client. */
export class ApiClient {
  private readonly http = new HttpClient();

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, text } = await this.answer(method, path, body);
    if (status < 200 || status >= 300) throw new Error(`${method} ${path}: HTTP ${status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** The status and text of the answer, whatever the status: a caller that branches on an error's code. */
  async answer(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    return this.http.request({
      method,
      url: `${this.baseUrl}/api/v1${path}`,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: 10_000,
    });
  }
}
