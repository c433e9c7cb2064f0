import { isCertificateVerdict } from '../tls/tls-options.ts';

/**
 * What Ferry reads from a mysql2 or zongji error, for the source and the target alike.
 * Branch on errno, not on mysql2's `code` name: MariaDB-only errnos get wrong names there
 * (4052 arrives as ER_INVALID_MFA_PLUGIN_SPECIFIED); socket failures carry only a code.
 */
export interface DriverError {
  errno?: number;
  code?: string;
  message?: string;
  sqlMessage?: string;
  /** mysql2: the connection cannot be used any more. */
  fatal?: boolean;
}

export function asDriverError(error: unknown): DriverError {
  return error ?? {};
}

/** Socket-level failures: the server, or the path to it, is gone; not the statement. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT',
]);

export function isNetworkFailure(driver: DriverError): boolean {
  return driver.code !== undefined && NETWORK_CODES.has(driver.code);
}

/** mysql2's own names for a failed TLS negotiation, beside OpenSSL's certificate verdicts. */
const TLS_CODES = new Set([
  'HANDSHAKE_NO_SSL_SUPPORT',
  // mysql2 renames every failed TLS negotiation so (the verdict stays in the message).
  'HANDSHAKE_SSL_ERROR',
]);

/** A TLS handshake refused: a certificate that fails verification, or a server that offers no TLS. */
export function isTlsFailure(driver: DriverError): boolean {
  return driver.code !== undefined && (TLS_CODES.has(driver.code) || isCertificateVerdict(driver.code) || driver.code.startsWith('ERR_SSL_') || driver.code.startsWith('ERR_TLS_'));
}
