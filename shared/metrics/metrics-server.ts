import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FerryError, describeError } from '../errors/index.ts';
import type { Logger } from '../logging.ts';
import type { FerryMetrics } from './registry.ts';

export interface MetricsServer {
  /** http://host:port, the port the server got (0 asks for a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` in Prometheus's text format, without a token: for nodes and `bin/ferry run`,
 * bound to 127.0.0.1 unless told otherwise (the series name pipelines and nodes, nothing more).
 */
export async function startMetricsServer(metrics: FerryMetrics, host: string, port: number, log: Logger): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    metrics.text().then((text) => {
      response.writeHead(200, { 'content-type': metrics.contentType }).end(request.method === 'HEAD' ? undefined : text);
    }, (error: unknown) => {
      log.warn({ detail: describeError(error) }, 'metrics scrape failed');
      response.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new FerryError('FERRY_ERR_METRICS_LISTEN', { host, port, detail: describeError(error) }, { cause: error })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
