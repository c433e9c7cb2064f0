import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenRecord, TokenRoleT } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { FerryError } from '../../shared/errors/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { readRecord } from '../runtime-state.ts';

/**
 * Bearer tokens and what each role may do. The bootstrap admin token comes from the command
 * line (or FERRY_ADMIN_TOKEN); every other token lives in ZooKeeper under the hex SHA-256 of
 * the token, so the token itself is stored nowhere.
 */

/** What a route does, for the role check; each route declares one. */
export type Action =
  | 'read' // GET of data sources, channels, the cluster
  | 'channel.run' // start, pause, stop, rollback, restart a channel; raise a warning
  | 'alarm.clear' // clear an active alarm
  | 'datasource.switch' // master/standby switch
  | 'config.write' // create, replace, delete data sources and channels
  | 'tokens' // list, create, delete API tokens
  | 'stats.report' // a node pushing pipeline statistics
  | 'audit.read'; // read the audit log

export const ROLE_ACTIONS: Readonly<Record<TokenRoleT, readonly Action[]>> = {
  admin: ['read', 'channel.run', 'alarm.clear', 'datasource.switch', 'config.write', 'tokens', 'stats.report', 'audit.read'],
  operator: ['read', 'channel.run', 'alarm.clear', 'datasource.switch'],
  viewer: ['read'],
  node: ['read', 'stats.report'],
};

export function allows(role: TokenRoleT, action: Action): boolean {
  return ROLE_ACTIONS[role].includes(action);
}

/** Who sent a request: the token's name (for `by` fields and logs), role, and for a node token its node id. */
export interface Principal {
  name: string;
  role: TokenRoleT;
  node?: string;
}

export const BOOTSTRAP_ADMIN = 'admin';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Token out of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Constant-time equality: both sides hashed first, so lengths never leak either. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The principal of a token; FERRY_ERR_API_UNAUTHORIZED when missing or unknown. ZooKeeper is
 * asked only for tokens other than the bootstrap one. A node token made before tokens named
 * their node is refused (FERRY_ERR_API_NODE_TOKEN_UNBOUND): it could report for any node.
 */
export async function authenticate(zk: () => ZkClient, adminToken: string, header: string | undefined): Promise<Principal> {
  const token = bearerToken(header);
  if (token === undefined) throw new FerryError('FERRY_ERR_API_UNAUTHORIZED');
  if (sameSecret(token, adminToken)) return { name: BOOTSTRAP_ADMIN, role: 'admin' };
  const record = await readRecord<TokenRecord>(zk(), zkPaths.token(sha256Hex(token)));
  if (record === undefined) throw new FerryError('FERRY_ERR_API_UNAUTHORIZED');
  const { name, role, node } = record.value;
  if (role !== 'node') return { name, role };
  if (node === undefined) throw new FerryError('FERRY_ERR_API_NODE_TOKEN_UNBOUND', { name });
  return { name, role, node };
}

/** FERRY_ERR_API_FORBIDDEN unless the role may do the action. */
export function authorize(principal: Principal, action: Action): void {
  if (!allows(principal.role, action)) throw new FerryError('FERRY_ERR_API_FORBIDDEN', { role: principal.role, action });
}
