import type { ManagerRecord } from '../shared/cluster/model.ts';
import { zkPaths } from '../shared/cluster/zk-paths.ts';
import { claimEphemeral } from '../shared/cluster/ephemeral-claim.ts';
import { FerryError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logging.ts';
import type { ZkClient } from '../shared/zk/zk-client.ts';

/**
 * Registers this manager as the ephemeral /managers/<id>: nodes find the managers' API URLs
 * there (to send stats), GET /cluster lists them. When the id is held by another session,
 * that may be this manager's previous process (killed, session not yet expired): wait up to
 * `waitMs` for it to vanish, then give up with FERRY_ERR_MANAGER_ID_TAKEN.
 */
export async function registerManager(zk: ZkClient, record: ManagerRecord, waitMs: number, log: Logger): Promise<void> {
  const claim = await claimEphemeral(zk, zkPaths.manager(record.id), JSON.stringify(record), { waitMs, log });
  if (claim === 'created') return;
  const url = (JSON.parse(claim.heldBy.toString('utf8')) as Partial<ManagerRecord>).url ?? 'unknown url';
  throw new FerryError('FERRY_ERR_MANAGER_ID_TAKEN', { id: record.id, url });
}
