import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { FastifyError, FastifyInstance } from 'fastify';
import { FerryError } from '../../shared/errors/index.ts';
import { API } from './context.ts';
import { frameworkErrorHandler } from './error-handler.ts';

/**
 * The web console (web/, built into web/dist by bin/setup) on the API's port, beside /api/v1.
 * The built files are read once when the API is built (a few hundred KiB), so a request can
 * only ever get one of them: no path from the URL reaches the file system. A path that is no
 * file is the console's own route (/channels, /nodes, ...) and gets index.html; /api/v1/* that
 * no route serves stays a JSON 404.
 */

/** fastify's router limit on a path parameter (its maxParamLength default, which the API keeps). */
const MAX_PARAM_LENGTH = 100;

/** Where bin/setup builds the console. */
export const CONSOLE_DIR = resolve(import.meta.dirname, '..', '..', 'web', 'dist');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Scripts, styles and images from the manager's own origin only: no CDN, no fonts, no frames
// around the console. connect-src also allows other origins because the page probes the other
// managers of the cluster (an opaque GET of their /api/v1/health) before failing over to one;
// only the console's own script can make requests at all.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http: https:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = [
  'The Ferry web console is not built in this installation, so this manager serves only its API (/api/v1).',
  '',
  'To build it, run in the Ferry directory:  npm run build:web',
  '(bin/setup, which `npm test` and `npm run demo` run first, builds it too), then reload this page.',
  '',
].join('\n');

interface ConsoleFile { body: Buffer; type: string }

/** Every file under `dir` by its URL path, or undefined when there is no built console there. */
export function loadConsole(dir: string): Map<string, ConsoleFile> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, ConsoleFile>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(`/${relative(dir, path).split(sep).join('/')}`, { body: readFileSync(path), type: TYPES[extname(entry.name)] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  return files;
}

export function consoleRoutes(app: FastifyInstance, dir: string = CONSOLE_DIR): void {
  const files = loadConsole(dir);
  const index = files?.get('/index.html');
  app.get('/*', { config: { action: 'public' }, schema: { hide: true } }, (request, reply) => {
    const path = request.url.split('?')[0]!;
    // The API's unknown paths answer like every other API error, never with the console. A
    // parameter over the router's limit no longer fails routing (this route catches it), so it
    // gets the answer routing gave it before.
    if (path === API || path.startsWith(`${API}/`)) {
      if (path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) {
        frameworkErrorHandler({ code: 'FST_ERR_MAX_PARAM_LENGTH' } as FastifyError, request, reply);
        return reply;
      }
      throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'route', name: `${request.method} ${path}` });
    }
    void reply.headers(SECURITY_HEADERS);
    if (files === undefined || index === undefined) {
      request.log.debug({ dir }, 'console not built');
      return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    }
    const file = files.get(path);
    if (file !== undefined) {
      // Vite names built assets by their content hash: a new build has new names.
      const immutable = path.startsWith('/assets/');
      return reply.type(file.type).header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').send(file.body);
    }
    // A missing asset is a stale page asking for an old build's file: a 404, not the page.
    if (path.startsWith('/assets/')) throw new FerryError('FERRY_ERR_API_NOT_FOUND', { what: 'file', name: path });
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
  });
}
