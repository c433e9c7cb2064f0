import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeRecord } from '../shared/cluster/model.ts';
import { nodeAccess } from '../shared/cluster/zk-access.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { isFerryError } from '../shared/errors/index.ts';
import { ZkClient } from '../shared/zk/zk-client.ts';
import { readZkCredentialsFile } from '../shared/zk/zk-credentials.ts';

/**
 * A node's report of disk or memory pressure: its znode's state set to 'full', as
 * node/cluster/resource-pressure.ts makes the node do when the heap or the cache disk runs
 * short (neither can be brought about on a shared machine without harming other work). The
 * node writes its state only when its own judgement changes, so the report stays until
 * `clear` sets it back to 'up'. Written with the nodes' identity, as the node itself would.
 */
export async function reportFull(zkConnect: string, nodeAuthFile: string, id: string): Promise<{ clear: () => Promise<void> }> {
  const zk = await ZkClient.connect({ connectString: zkConnect, access: nodeAccess(readZkCredentialsFile(nodeAuthFile, '--zk-node-auth-file')), sessionTimeoutMs: 10_000 });
  try {
    await setState(zk, id, 'full');
  } catch (error) {
    await zk.close();
    throw error;
  }
  return {
    clear: async () => {
      try {
        await setState(zk, id, 'up');
      } finally {
        await zk.close();
      }
    },
  };
}

/** Read, change the state, write on the version read; again when the node wrote in between. */
async function setState(zk: ZkClient, id: string, state: NodeRecord['state']): Promise<void> {
  for (;;) {
    const { data, version } = await zk.getData(zkPaths.node(id));
    const record = JSON.parse(data.toString('utf8')) as NodeRecord;
    try {
      await zk.setData(zkPaths.node(id), JSON.stringify({ ...record, state }), version);
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_BAD_VERSION')) throw error;
      await sleep(100);
    }
  }
}
