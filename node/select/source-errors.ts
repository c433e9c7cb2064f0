import { FerryError, describeError } from '../../shared/errors/index.ts';
import { asDriverError, isNetworkFailure } from '../../shared/mysql/driver-errors.ts';
import { tlsRefused } from '../../shared/mysql/tls-refused.ts';
import type { BinlogEndpoint } from './binlog-options.ts';


/**
 * Maps an error from a source connection (mysql2 or zongji) to a registry error. Branches
 * on errno (shared/mysql/driver-errors.ts), and on message text only where the server gives
 * nothing else.
 */
export function classifySourceError(error: unknown, endpoint: BinlogEndpoint, position = 'the start position'): FerryError {
  if (error instanceof FerryError) return error;
  const driver = asDriverError(error);
  const where = `${endpoint.host}:${endpoint.port}`;
  const detail = driver.sqlMessage ?? describeError(error);
  const tls = tlsRefused(error, endpoint, 'source');
  if (tls !== undefined) return tls;
  if (driver.errno === 1045) return new FerryError('FERRY_ERR_SOURCE_ACCESS_DENIED', { endpoint: where, user: endpoint.user, detail }, { cause: error });
  if (driver.errno === 1236) {
    if (/max_allowed_packet|event.*too big|bogus data/i.test(detail)) {
      return new FerryError('FERRY_ERR_BINLOG_BAD_POSITION', { position, detail }, { cause: error });
    }
    return new FerryError('FERRY_ERR_BINLOG_PURGED', { position, detail }, { cause: error });
  }
  if (driver.errno === 4052) {
    return new FerryError('FERRY_ERR_BINLOG_READ', { detail: `another binlog reader connected with the same replica server id (${detail})` }, { cause: error });
  }
  if (isNetworkFailure(driver)) {
    return new FerryError('FERRY_ERR_SOURCE_UNREACHABLE', { endpoint: where, detail: `${driver.code}: ${detail}` }, { cause: error });
  }
  return new FerryError('FERRY_ERR_BINLOG_READ', { detail }, { cause: error });
}
