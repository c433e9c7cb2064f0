import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { describeError } from '../shared/errors/index.ts';
import type { ZkTlsOptions } from '../shared/zk/zk-tls-tunnel.ts';

/** The flags of every command that reaches ZooKeeper (manager, node). */
export const ZK_TLS_FLAGS = {
  'zk-tls-ca': { type: 'string' },
  'zk-tls-cert': { type: 'string' },
  'zk-tls-key': { type: 'string' },
} as const;

export const ZK_TLS_USAGE = `  --zk-tls-ca FILE         reach ZooKeeper over TLS: --zk then names secureClientPorts, whose
                           certificates this PEM CA signed, for the host names given in --zk
                           (default env FERRY_ZK_TLS_CA; none: plain TCP)
  --zk-tls-cert FILE       client certificate and key (PEM) for ZooKeeper's ssl.clientAuth=need
  --zk-tls-key FILE        (default env FERRY_ZK_TLS_CERT, FERRY_ZK_TLS_KEY)
`;

type Values = Partial<Record<keyof typeof ZK_TLS_FLAGS, string>>;

const SOURCES = [
  { part: 'ca', flag: 'zk-tls-ca', env: 'FERRY_ZK_TLS_CA' },
  { part: 'cert', flag: 'zk-tls-cert', env: 'FERRY_ZK_TLS_CERT' },
  { part: 'key', flag: 'zk-tls-key', env: 'FERRY_ZK_TLS_KEY' },
] as const;

/**
 * The TLS material for ZooKeeper from the flags (the environment when a flag is absent),
 * read and checked now, so that a missing or mismatched file is a usage problem at start
 * rather than a handshake that fails later. No CA, no TLS.
 */
export function zkTlsFromFlags(values: Values, env: NodeJS.ProcessEnv = process.env): { tls?: ZkTlsOptions; problems: string[] } {
  const problems: string[] = [];
  const read: Partial<Record<'ca' | 'cert' | 'key', Buffer>> = {};
  const named: Partial<Record<'ca' | 'cert' | 'key', string>> = {};
  for (const { part, flag, env: variable } of SOURCES) {
    const fromFlag = values[flag];
    const file = fromFlag ?? (env[variable] === '' ? undefined : env[variable]);
    if (file === undefined) continue;
    const name = fromFlag === undefined ? variable : `--${flag}`;
    named[part] = name;
    try {
      const content = readFileSync(file);
      if (!content.includes('-----BEGIN ')) problems.push(`${name} ${file} holds no PEM block`);
      else read[part] = content;
    } catch (error) {
      problems.push(`${name} cannot read ${file}: ${describeError(error)}`);
    }
  }
  if (Object.keys(named).length === 0) return { problems };
  if (named.ca === undefined) problems.push('--zk-tls-cert and --zk-tls-key need --zk-tls-ca: TLS to ZooKeeper trusts only the CA given');
  if ((named.cert === undefined) !== (named.key === undefined)) problems.push('--zk-tls-cert and --zk-tls-key go together');
  if (problems.length > 0 || read.ca === undefined) return { problems };
  const tls: ZkTlsOptions = { ca: read.ca, ...(read.cert ? { cert: read.cert } : {}), ...(read.key ? { key: read.key } : {}) };
  try {
    // Parses the CA and checks that the key belongs to the certificate.
    createSecureContext(tls);
  } catch (error) {
    problems.push(`the ZooKeeper TLS files (${Object.values(named).join(', ')}) are not usable: ${describeError(error)}`);
    return { problems };
  }
  return { tls, problems };
}
