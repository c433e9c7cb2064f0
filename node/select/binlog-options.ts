import { sslOptions, type ConnectEndpoint } from '../pipeline/mysql-tls.ts';

/** Where and as whom a binlog reader connects, and over which TLS. */
export type BinlogEndpoint = ConnectEndpoint;

/**
 * Connection options for zongji's connections (it passes them to mysql2). They decide how
 * values are decoded, so node/transform/values.ts and its tests assume exactly these:
 * - dateStrings: DATE/DATETIME/TIMESTAMP as text with all fractional digits and no time zone
 *   conversion (a Date would truncate to milliseconds and depend on the process time zone);
 * - timezone 'Z' for whatever is still converted, so the process time zone never matters
 *   (TIMESTAMP text comes out in UTC);
 * - supportBigNumbers/bigNumberStrings: exact 64-bit integers in zongji's own queries (binlog
 *   BIGINTs beyond 2^53 come as exact text regardless);
 * - jsonStrings: MySQL's binary JSON as text, not parsed (parsed, an integer beyond 2^53
 *   becomes a JSON string when written back); MariaDB's JSON is LONGTEXT, text anyway.
 */
export function binlogConnectionOptions(endpoint: BinlogEndpoint): Record<string, unknown> {
  return {
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    charset: 'utf8mb4',
    dateStrings: true,
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
    connectTimeout: 10_000,
    // zongji hands these to mysql2 for both of its connections (control and dump).
    ...sslOptions(endpoint),
  };
}
