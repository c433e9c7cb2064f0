import { onTestFinished } from 'vitest';
import { createLogger } from '../../../shared/logging.ts';
import { startManager, type ManagerOptions, type RunningManager } from '../../../manager/index.ts';
import { waitFor } from '../../../services/index.ts';
import { testSecretKeyFile } from '../../support/secret-key.ts';
import { patient } from '../../support/waits.ts';
import { TEST_MANAGER_ZK_AUTH } from '../../support/zk-identities.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A manager in this process on the test's chroot, stopped when the test finishes. */
export async function testManager(zk: string, options: Partial<ManagerOptions> = {}): Promise<RunningManager> {
  const manager = await startManager({
    zk,
    adminToken: ADMIN_TOKEN,
    sessionTimeoutMs: 4_000,
    secretKeyFile: testSecretKeyFile(),
    zkAuth: TEST_MANAGER_ZK_AUTH,
    log: createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'silent' }),
    ...options,
  });
  onTestFinished(() => manager.stop());
  return manager;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** The body of every error response. */
export interface ErrorBody {
  code: string;
  message: string;
  workaround: string;
  details: { errors?: { path: string; message: string }[]; [key: string]: unknown };
}

/** A small client for the manager API over real HTTP. */
export function apiClient(baseUrl: string, token: string | null = ADMIN_TOKEN) {
  const call = async <T = ErrorBody>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const init: RequestInit = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T, headers: response.headers };
  };
  return {
    call,
    get: <T = ErrorBody>(path: string) => call<T>('GET', path),
    post: <T = ErrorBody>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
    put: <T = ErrorBody>(path: string, body: unknown, headers?: Record<string, string>) => call<T>('PUT', path, body, headers),
    del: <T = ErrorBody>(path: string, headers?: Record<string, string>) => call<T>('DELETE', path, undefined, headers),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs` (at least MIN_WAIT_MS). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  let result: T | undefined;
  const deadline = patient(timeoutMs);
  const ok = await waitFor(async () => (result = await check()) !== undefined, deadline, 50);
  if (!ok || result === undefined) throw new Error(`timed out after ${deadline} ms waiting for ${what}`);
  return result;
}

export const dataSource = (groupKey: string, port: number, extra: Record<string, unknown> = {}) => ({
  groupKey, dc: 'dc1', master: { host: '127.0.0.1', port }, user: 'ferry', password: 'secret-pw', ...extra,
});

export const channel = (name: string, pipelines: { name: string; source: string; target: string }[], extra: Record<string, unknown> = {}) => ({
  name, pipelines: pipelines.map((p) => ({ ...p, tables: ['shop.*'] })), ...extra,
});
