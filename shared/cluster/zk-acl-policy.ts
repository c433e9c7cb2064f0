import { ALL_PERMS, normalPerms, type ZkAcl } from '../zk/zk-acl.ts';
import { ZK_ROOT } from './zk-paths.ts';

/**
 * The one ACL policy: which identity may do what on each znode Ferry keeps. ZkClient asks it
 * for the ACL of every znode it creates, and a manager holding the credentials sets it on
 * every existing znode at start (zk-acl-migration.ts). docs/zookeeper-layout.md shows it
 * as a table.
 *
 * Two identities: the managers' holds every permission everywhere; the nodes' gets only
 * what the node code (node/ and the shared arbiter it runs) reads and writes, from the
 * inventory below. ACLs in ZooKeeper are per znode, not inherited: create and delete are
 * rights on the parent, read and write on the znode itself. Nobody else is named, so
 * anonymous and wrongly authenticated sessions get nothing (but exists(), ZOOKEEPER-2590).
 */

export interface ZkIdentities {
  /** Digest id (`user:base64(sha1(user:password))`) of the managers. */
  manager: string;
  /** Digest id of the nodes; the managers' own when the cluster has one identity. */
  node: string;
}

/**
 * What the node identity may do, by path under the root (`*`: one name). Anything not listed
 * (the root itself, config/, config/tokens/**, config-history/**, audit/**, stats/**, history/**, alarms/**, election/**, and every path
 * outside the root) gives nodes nothing.
 */
export const NODE_RULES: ReadonlyArray<readonly [pattern: string, perms: string, why: string]> = [
  ['config/epoch', 'r', 'follows the configuration epoch (ConfigStore)'],
  ['config/datasources', 'r', 'lists the data sources it resolves pipelines with'],
  ['config/datasources/*', 'r', 'reads a data source (endpoints, credentials)'],
  ['config/channels', 'r', 'lists the channels'],
  ['config/channels/*', 'r', 'reads a channel spec'],
  ['permits', 'r', 'watches the permits'],
  ['permits/*', 'rw', 'a node-raised ROLLBACK / RESTART / PAUSE sets the permit'],
  ['assignments', 'rd', 'watches its assignments; a node-raised RESTART removes the channel\'s'],
  ['assignments/*', 'rw', 'acknowledges an assignment (acked)'],
  ['select-assignments', 'rd', 'watches its select sides; a node-raised RESTART removes the channel\'s'],
  ['select-assignments/*', 'rw', 'acknowledges a select side (acked)'],
  ['epoch-floors', 'rc', 'creates a pipeline\'s floor when the target\'s fence is ahead'],
  ['epoch-floors/*', 'rw', 'raises a floor'],
  ['applied', 'rc', 'creates a pipeline\'s applied record at its first claim'],
  ['applied/*', 'rw', 'reads it before a claim; records the newest position committed'],
  ['locks', 'rc', 'creates a channel\'s lock directory on first use'],
  ['locks/*', 'rcd', 'enters and leaves the channel lock queue'],
  ['locks/*/*', 'r', 'reads the other contenders'],
  ['events', 'rcd', 'appends events and prunes the oldest'],
  ['events/*', 'r', 'reads events while pruning'],
  ['rollbacks', 'rc', 'creates a channel\'s acknowledgement directory'],
  ['rollbacks/*', 'rc', 'creates its acknowledgement; a node-raised ROLLBACK waits on all'],
  ['rollbacks/*/*', 'rw', 'rewrites its acknowledgement'],
  ['nodes', 'rc', 'registers its ephemeral znode'],
  ['nodes/*', 'rw', 'updates its registration (up, full, leaving)'],
  ['managers', 'r', 'lists the managers to send statistics to'],
  ['managers/*', 'r', 'reads a manager\'s URL'],
  ['health', 'rc', 'creates the health record of a data source it measures'],
  ['health/*', 'rw', 'rewrites that record each measurement'],
  ['verify-jobs', 'r', 'finds the jobs of its verify tasks'],
  ['verify-jobs/*', 'r', 'reads a channel\'s verify jobs'],
  ['verify-jobs/*/*', 'r', 'reads a verify job'],
  ['verify-jobs/*/*/*', 'rw', 'writes the result of the part it runs'],
  ['verify-inbox', 'r', 'watches for its inbox'],
  ['verify-inbox/*', 'rd', 'watches its inbox and deletes the tasks it ran'],
  ['verify-inbox/*/*', 'r', 'reads a task'],
];

/** The node identity's permissions on `path` ('' for none). */
export function nodePermissions(path: string): string {
  if (!path.startsWith(`${ZK_ROOT}/`)) return '';
  const parts = path.slice(ZK_ROOT.length + 1).split('/');
  const rule = NODE_RULES.find(([pattern]) => {
    const want = pattern.split('/');
    return want.length === parts.length && want.every((name, i) => name === '*' || name === parts[i]);
  });
  return normalPerms(rule?.[1] ?? '');
}

/**
 * The ACL of a znode a node creates (its registration, acknowledgements, events, lock
 * contenders, epoch floors). A node does not know the managers' digest id, and ZooKeeper
 * shows it only to holders of the admin permission (getACL masks the hash as 'x'), so the
 * node grants its own identity alone; managers authenticate as the nodes too, so they keep
 * every right, and their next start sets the policy's ACL (aclFor) on it. Outsiders get
 * nothing either way.
 */
export function nodeCreatedAcl(nodeId: string): ZkAcl[] {
  return [{ scheme: 'digest', id: nodeId, perms: ALL_PERMS }];
}

/** The ACL of the znode at `path` (inside the chroot). */
export function aclFor(path: string, ids: ZkIdentities): ZkAcl[] {
  const acl: ZkAcl[] = [{ scheme: 'digest', id: ids.manager, perms: ALL_PERMS }];
  const perms = nodePermissions(path);
  if (ids.node !== ids.manager && perms !== '') acl.push({ scheme: 'digest', id: ids.node, perms });
  return acl;
}
