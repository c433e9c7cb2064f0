import { digestId, type ZkAccess, type ZkCredentials } from '../zk/zk-acl.ts';
import { aclFor, nodeCreatedAcl, type ZkIdentities } from './zk-acl-policy.ts';

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
