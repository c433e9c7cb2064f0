import { FerryError, isFerryError } from '../errors/index.ts';
import { digestId, type ZkAccess, type ZkCredentials } from '../zk/zk-acl.ts';
import type { ZkClient } from '../zk/zk-client.ts';
import { aclFor, nodeCreatedAcl, type ZkIdentities } from './zk-acl-policy.ts';
import { zkPaths } from './zk-paths.ts';

/** The credentials a manager holds: its own, and the nodes' (so that it can name them in ACLs). */
export interface ManagerZkAuth {
  manager: ZkCredentials;
  /** @default the manager's: one identity for the whole cluster */
  node?: ZkCredentials;
}

export interface ManagerAccess extends ZkAccess {
  readonly identities: ZkIdentities;
}

/**
 * A manager's session: authenticated as the managers and as the nodes (so it may also act on
 * what nodes created, see nodeCreatedAcl), every znode it creates under the policy.
 */
export function managerAccess(auth: ManagerZkAuth): ManagerAccess {
  const node = auth.node ?? auth.manager;
  const identities = { manager: digestId(auth.manager), node: digestId(node) };
  const credentials = identities.node === identities.manager ? [auth.manager] : [auth.manager, node];
  return { credentials, identity: auth.manager.user, identities, aclFor: (path) => aclFor(path, identities) };
}

/** A node's session: authenticated as the nodes only; it never holds nor learns the managers' password. */
export function nodeAccess(credentials: ZkCredentials): ZkAccess {
  const id = digestId(credentials);
  return { credentials: [credentials], identity: credentials.user, aclFor: () => nodeCreatedAcl(id) };
}

/**
 * A node with credentials joins only a layout a manager made or migrated: it never creates
 * config/ (tokens above all), and on a tree still open to anyone its own znodes, granted to
 * the nodes alone, would shut out managers that run without credentials. Until then it
 * throws FERRY_ERR_ZK_LAYOUT_MISSING (retryable); refused credentials give FERRY_ERR_ZK_NO_AUTH.
 */
export async function expectManagedLayout(zk: ZkClient): Promise<void> {
  const path = zkPaths.configEpoch;
  const found = await zk.getAcl(path).catch((error: unknown) => {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
    throw error;
  });
  if (found === undefined) throw new FerryError('FERRY_ERR_ZK_LAYOUT_MISSING', { path, state: 'missing' });
  if (found.acl.some((entry) => entry.scheme === 'world')) throw new FerryError('FERRY_ERR_ZK_LAYOUT_MISSING', { path, state: 'open to anyone' });
}
