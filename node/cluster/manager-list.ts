import type { ManagerRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';

/** API base URLs of the live managers (their ephemeral /managers/<id> znodes), by manager id. */
export async function readManagerUrls(zk: ZkClient): Promise<string[]> {
  const ids = (await zk.getChildren(zkPaths.managers)).sort();
  const urls = await Promise.all(ids.map(async (id) => {
    try {
      const record = JSON.parse((await zk.getData(zkPaths.manager(id))).data.toString('utf8')) as Partial<ManagerRecord>;
      return typeof record.url === 'string' && record.url.length > 0 ? record.url : undefined;
    } catch (error) {
      // Gone since the listing, or not a manager record: skip it.
      if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE') || error instanceof SyntaxError) return undefined;
      throw error;
    }
  }));
  return urls.filter((url) => url !== undefined);
}
