import { setTimeout as sleep } from 'node:timers/promises';
import { isFerryError } from '../errors/index.ts';
import type { Logger } from '../logging.ts';
import type { ZkClient } from '../zk/zk-client.ts';

export interface EphemeralClaimOptions {
  /** How long to wait for another session's znode to vanish. */
  waitMs: number;
  log: Logger;
  /** Between looks at a held znode. @default 250 */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Creates an ephemeral znode that identifies this process (a manager's or a node's id).
 * When another session holds it, that may be this id's previous process (killed, its session
 * not yet expired): wait up to `waitMs` for it to vanish. Returns 'created' or, when the
 * holder is still there at the deadline, the holder's data for the caller's error. A create
 * that landed before a connection loss hid its answer is recognised by the session id.
 */
export async function claimEphemeral(zk: ZkClient, path: string, data: string, options: EphemeralClaimOptions): Promise<'created' | { heldBy: Buffer }> {
  const deadline = Date.now() + options.waitMs;
  let waitLogged = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      await zk.create(path, data, 'ephemeral');
      return 'created';
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS')) throw error;
    }
    const holder = await zk.getData(path).catch((error: unknown) => {
      if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
      throw error;
    });
    if (holder === undefined) continue;
    if (holder.ephemeralOwner === zk.sessionId) {
      await zk.setData(path, data);
      return 'created';
    }
    if (Date.now() >= deadline) return { heldBy: holder.data };
    if (!waitLogged) {
      waitLogged = true;
      options.log.warn({ path, owner: holder.ephemeralOwner, waitMs: options.waitMs }, 'id held by another session, waiting for it to expire');
    }
    await sleep(options.pollMs ?? 250, undefined, options.signal ? { signal: options.signal } : {});
  }
}
