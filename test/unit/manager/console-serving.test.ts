import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../../../manager/api/context.ts';
import { buildApi } from '../../../manager/api/server.ts';
import { HttpClient } from '../../../shared/http/http-client.ts';
import { FerryError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/logging.ts';
import { clientTls, serverTls } from '../../../shared/tls/tls-options.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';

/** The web console on the API's port: files, client routes, the API's own 404s, no console built. */

const ADMIN = 'unit-admin-token';

function context(): ApiContext {
  const noZk = () => {
    throw new FerryError('FERRY_ERR_ZK_OPERATION', { operation: 'test', path: '/', detail: 'no ZooKeeper in unit tests' });
  };
  return { managerId: () => 'm1', adminToken: ADMIN, log: silentLogger(), zk: noZk, store: noZk, isLeader: () => false };
}

let built: string;
let empty: string;
beforeAll(() => {
  built = mkdtempSync(join(tmpdir(), 'ferry-console-'));
  mkdirSync(join(built, 'assets'));
  writeFileSync(join(built, 'index.html'), '<!doctype html><title>Ferry console</title><script type="module" src="/assets/index-abc.js"></script>');
  writeFileSync(join(built, 'assets', 'index-abc.js'), 'console.log("console")');
  empty = mkdtempSync(join(tmpdir(), 'ferry-no-console-'));
});
afterAll(() => {
  rmSync(built, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

describe('the web console on the API port', () => {
  it('serves index.html at / and at every client route, assets by name, with a same-origin policy', async () => {
    const app = await buildApi(context(), { consoleDir: built });
    for (const url of ['/', '/channels', '/nodes?x=1', '/datasources/src']) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('<title>Ferry console</title>');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    const script = await app.inject({ url: '/assets/index-abc.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toContain('immutable');
    // An old build's asset is missing, not the page; a path out of the folder is only a route.
    expect((await app.inject({ url: '/assets/index-old.js' })).statusCode).toBe(404);
    const escape = await app.inject({ url: '/../../etc/passwd' });
    expect(escape.body).not.toContain('root:');
    await app.close();
  });

  it('leaves /api/v1 as it was: unknown paths are JSON 404s, routes answer as before', async () => {
    const app = await buildApi(context(), { consoleDir: built });
    for (const url of ['/api/v1/nothing', '/api/v1', '/api/v1/channels/x/nothing']) {
      const missing = await app.inject({ url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.headers['content-type']).toContain('application/json');
      expect(JSON.parse(missing.body)).toMatchObject({ code: 'FERRY_ERR_API_NOT_FOUND' });
    }
    expect(JSON.parse((await app.inject({ url: '/api/v1/health' })).body)).toEqual({ ok: true, id: 'm1', leader: false });
    expect((await app.inject({ url: '/api/v1/channels' })).statusCode).toBe(401);
    const document = JSON.parse((await app.inject({ url: '/api/v1/openapi.json' })).body) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => !path.startsWith('/api/v1/'))).toEqual([]);
    await app.close();
  });

  it('answers / with how to build the console when it is not built, and the API still works', async () => {
    const app = await buildApi(context(), { consoleDir: empty });
    for (const url of ['/', '/channels']) {
      const page = await app.inject({ url });
      expect(page.statusCode).toBe(503);
      expect(page.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(page.body).toContain('not built');
      expect(page.body).toContain('npm run build:web');
    }
    expect((await app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
    await app.close();
  });

  describe('over HTTPS', () => {
    let certs: TestCertificates;
    beforeAll(() => {
      certs = makeTestCertificates();
    });
    afterAll(() => certs.remove());

    it('serves the console on the HTTPS port of a manager with a certificate', async () => {
      const app = await buildApi(context(), { consoleDir: built, https: serverTls({ cert: certs.cert, key: certs.key }, 'manager') });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as { port: number };
      const client = new HttpClient(clientTls({ ca: certs.ca }, 'test'));
      try {
        const page = await client.request({ method: 'GET', url: `https://127.0.0.1:${port}/channels`, headers: {}, timeoutMs: 60_000 });
        expect(page.status).toBe(200);
        expect(page.text).toContain('<title>Ferry console</title>');
      } finally {
        client.close();
        await app.close();
      }
    });
  });
});

describe('GET /api/v1/whoami', () => {
  it('names the token and its role with what the role may do; no token is a 401', async () => {
    const app = await buildApi(context(), { consoleDir: empty });
    const me = await app.inject({ url: '/api/v1/whoami', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body)).toEqual({ name: 'admin', role: 'admin', actions: ['read', 'channel.run', 'alarm.clear', 'datasource.switch', 'config.write', 'tokens', 'stats.report', 'audit.read'] });
    const anonymous = await app.inject({ url: '/api/v1/whoami' });
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ code: 'FERRY_ERR_API_UNAUTHORIZED' });
    await app.close();
  });
});
