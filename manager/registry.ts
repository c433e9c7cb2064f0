import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagerRecord } from '../shared/cluster/model.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { FerryError, isFerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';

const POLL_MS = 250;

/**
 * Registers this manager as the ephemeral /managers/<id>: nodes find the managers' API URLs
 * there (to send stats), GET /cluster lists them. When the id is held by another session,
 * that may be this manager's previous process (killed, session not yet expired): wait up to
 * `waitMs` for it to vanish, then give up with FERRY_ERR_MANAGER_ID_TAKEN.
 */
export async function registerManager(zk: ZkClient, record: ManagerRecord, waitMs: number, log: Logger): Promise<void> {
  const path = zkPaths.manager(record.id);
  const deadline = Date.now() + waitMs;
  let waitLogged = false;
  for (;;) {
    try {
      await zk.create(path, JSON.stringify(record), 'ephemeral');
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS')) throw error;
    }
    const holder = await zk.getData(path).catch((error: unknown) => {
      if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
      throw error;
    });
    if (holder === undefined) continue;
    if (holder.ephemeralOwner === zk.sessionId) {
      // Our own create landed before a connection loss hid the answer.
      await zk.setData(path, JSON.stringify(record));
      return;
    }
    if (Date.now() >= deadline) {
      const url = (JSON.parse(holder.data.toString('utf8')) as Partial<ManagerRecord>).url ?? 'unknown url';
      throw new FerryError('FERRY_ERR_MANAGER_ID_TAKEN', { id: record.id, url });
    }
    if (!waitLogged) {
      waitLogged = true;
      log.warn({ path, owner: holder.ephemeralOwner, waitMs }, 'manager id held by another session, waiting for it to expire');
    }
    await sleep(POLL_MS);
  }
}
