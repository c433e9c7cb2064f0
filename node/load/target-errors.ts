import { FerryError, describeError } from '../../shared/errors/index.ts';
import type { MysqlTls } from '../../shared/config/mysql-tls.ts';
import { asDriverError, isNetworkFailure } from '../../shared/mysql/driver-errors.ts';
import { tlsRefused } from '../../shared/mysql/tls-refused.ts';

/** Errors a retry can cure: lost connections, lock waits, deadlocks, a restarting server. */
const RETRYABLE_ERRNOS = new Set([1205, 1213, 1040, 1053, 1077, 1079, 1080, 1152, 1153, 1158, 1159, 1160, 1161, 1927, 2002, 2003, 2006, 2013, 4031]);

export function isRetryableTargetError(error: unknown): boolean {
  if (error instanceof FerryError) return error.retryable;
  const driver = asDriverError(error);
  if (driver.errno !== undefined && RETRYABLE_ERRNOS.has(driver.errno)) return true;
  if (isNetworkFailure(driver)) return true;
  return driver.fatal === true;
}

/** Maps a target-side failure that is not about one row to a registry error. */
export function classifyTargetError(error: unknown, endpoint: { host: string; port: number; user: string; tls?: MysqlTls }): FerryError {
  if (error instanceof FerryError) return error;
  const tls = tlsRefused(error, endpoint, 'target');
  if (tls !== undefined) return tls;
  const driver = asDriverError(error);
  const where = `${endpoint.host}:${endpoint.port}`;
  const detail = driver.sqlMessage ?? describeError(error);
  if (driver.errno === 1045) return new FerryError('FERRY_ERR_TARGET_ACCESS_DENIED', { endpoint: where, user: endpoint.user, detail }, { cause: error });
  if (driver.code === 'ECONNREFUSED' || driver.code === 'ENOTFOUND' || driver.code === 'EHOSTUNREACH') {
    return new FerryError('FERRY_ERR_TARGET_UNREACHABLE', { endpoint: where, detail: `${driver.code}: ${detail}` }, { cause: error });
  }
  if (isRetryableTargetError(error)) return new FerryError('FERRY_ERR_TARGET_WRITE', { detail: `${driver.code ?? driver.errno ?? ''} ${detail}`.trim() }, { cause: error });
  return new FerryError('FERRY_ERR_TARGET_WRITE', { detail }, { cause: error });
}
