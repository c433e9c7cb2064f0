import { DEFAULT_SSL_MODE } from '../config/mysql-tls.ts';
import type { MysqlEndpoint } from '../config/mysql-url.ts';
import { FerryError, describeError } from '../errors/index.ts';
import { asDriverError, isTlsFailure } from './driver-errors.ts';

/**
 * FERRY_ERR_TLS_REFUSED for a handshake that failed on a certificate (chain or name) or on a
 * server that offers no TLS; undefined for any other error. Not retried: the same certificate
 * fails the same way until someone changes it or the configuration.
 */
export function tlsRefused(error: unknown, endpoint: Pick<MysqlEndpoint, 'host' | 'port' | 'tls'>, side: 'source' | 'target'): FerryError | undefined {
  const driver = asDriverError(error);
  if (!isTlsFailure(driver)) return undefined;
  return new FerryError('FERRY_ERR_TLS_REFUSED', {
    side,
    endpoint: `${endpoint.host}:${endpoint.port}`,
    mode: endpoint.tls?.mode ?? DEFAULT_SSL_MODE,
    detail: `${driver.code ?? ''}: ${driver.message ?? describeError(error)}`,
  }, { cause: error });
}
