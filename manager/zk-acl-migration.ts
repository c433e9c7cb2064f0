import type { ManagerAccess } from '../shared/cluster/zk-access.ts';
import { ZK_ROOT } from '../shared/cluster/zk-paths.ts';
import { isFerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import { sameAcl } from '../shared/zk/zk-acl.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';

/** The top znode Ferry creates: '/ferry' of '/ferry/v1'. */
const TOP = `/${ZK_ROOT.split('/')[1]!}`;

export interface AclMigration {
  /** Znodes looked at. */
  checked: number;
  /** Znodes whose ACL was set, because it was not the policy's. */
  changed: number;
}

/**
 * Sets the policy's ACL on every znode of Ferry's tree that lacks it: trees created before
 * ACLs (world:anyone:cdrwa), or whose node identity changed. Idempotent, so every manager
 * runs it on every new session; two at once write the same ACLs. A znode whose ACL shuts this
 * identity out stops it with FERRY_ERR_ZK_NO_AUTH naming the path (the tree belongs to other
 * credentials). Znodes that vanish meanwhile (ephemeral ones) are passed over.
 */
export async function migrateAcls(zk: ZkClient, access: ManagerAccess, log: Logger): Promise<AclMigration> {
  const result: AclMigration = { checked: 0, changed: 0 };
  const visit = async (path: string): Promise<void> => {
    try {
      const { acl } = await zk.getAcl(path);
      result.checked++;
      const wanted = access.aclFor(path);
      if (!sameAcl(acl, wanted)) {
        await zk.setAcl(path, wanted);
        result.changed++;
      }
      const children = await zk.getChildren(path);
      await Promise.all(children.map((child) => visit(`${path}/${child}`)));
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) throw error;
    }
  };
  await visit(TOP);
  log.info({ ...result, root: TOP }, 'ZooKeeper ACLs checked');
  return result;
}
