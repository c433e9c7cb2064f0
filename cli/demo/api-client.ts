import { HttpClient } from '../../shared/http/http-client.ts';

/** The demo's calls to the manager's REST API (docs/api.md), through Ferry's one HTTP client. */
export class ApiClient {
  private readonly http = new HttpClient();

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.http.request({
      method,
      url: `${this.baseUrl}/api/v1${path}`,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: 10_000,
    });
    if (response.status < 200 || response.status >= 300) throw new Error(`${method} ${path}: HTTP ${response.status} ${response.text}`);
    return (response.text === '' ? undefined : JSON.parse(response.text)) as T;
  }
}
