import { managerAccess } from '../../shared/cluster/zk-access.ts';
import type { ZkCredentials } from '../../shared/zk/zk-acl.ts';

/**
 * The ZooKeeper identities every test cluster runs under, so that the whole suite runs with
 * ACLs: a node write the policy refuses fails the test that makes it. Managers get both
 * (to name the nodes in ACLs), nodes only their own.
 */
export const TEST_ZK_MANAGER: ZkCredentials = { user: 'ferry-test-manager', password: 'manager-secret-1:with-colon' };
export const TEST_ZK_NODE: ZkCredentials = { user: 'ferry-test-node', password: 'node-secret-2' };

export const TEST_MANAGER_ZK_AUTH = { manager: TEST_ZK_MANAGER, node: TEST_ZK_NODE };

/** What test clients use: the managers' identity, which may read and write everything. */
export const testManagerAccess = managerAccess(TEST_MANAGER_ZK_AUTH);

const text = ({ user, password }: ZkCredentials) => `${user}:${password}`;

/** Environment of a `bin/ferry` child: credentials by default for the commands that connect to ZooKeeper. */
export function zkAuthEnv(command: string | undefined): Record<string, string> {
  // `secrets rotate` rewrites data sources as a manager does.
  if (command === 'manager' || command === 'secrets') return { FERRY_ZK_AUTH: text(TEST_ZK_MANAGER), FERRY_ZK_NODE_AUTH: text(TEST_ZK_NODE) };
  if (command === 'node') return { FERRY_ZK_NODE_AUTH: text(TEST_ZK_NODE) };
  return {};
}
