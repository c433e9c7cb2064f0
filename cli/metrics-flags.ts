import { FerryError } from '../shared/errors/index.ts';

/** The usage lines of --metrics-port and --metrics-host (node, run), their text starting at column `column`. */
export function metricsUsage(column: number): string {
  const flag = (name: string) => `  ${name}`.padEnd(column);
  const more = ' '.repeat(column);
  return `${flag('--metrics-port N')}serve Prometheus metrics at http://HOST:N/metrics, no token
${more}(0: a free port, printed at start; default: no metrics endpoint)
${flag('--metrics-host HOST')}address the metrics endpoint listens on (default 127.0.0.1)
`;
}

/** Where to serve /metrics, from --metrics-port and --metrics-host; undefined without a port. Throws a usage error naming the flag. */
export function metricsListenFromFlags(values: { 'metrics-port'?: string | undefined; 'metrics-host'?: string | undefined }): { host: string; port: number } | undefined {
  const port = values['metrics-port'];
  const host = values['metrics-host'];
  if (port === undefined) {
    if (host !== undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--metrics-host needs --metrics-port' });
    return undefined;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: `--metrics-port takes a port number 0-65535, got '${port}'` });
  if (host !== undefined && host.trim() === '') throw new FerryError('FERRY_ERR_CLI_USAGE', { detail: '--metrics-host takes an address, got an empty one' });
  return { host: host ?? '127.0.0.1', port: Number(port) };
}
