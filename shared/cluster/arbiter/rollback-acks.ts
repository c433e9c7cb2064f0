import { isFerryError } from '../../errors/index.ts';
import type { ZkClient } from '../../zk/zk-client.ts';
import { zkPaths } from '../zk-paths.ts';
import { isLive } from './channel-records.ts';
import { readRecord } from '../zk-records.ts';
import { waitOnZk } from './zk-wait.ts';

/**
 * The acknowledgement half of ROLLBACK. A node that sees a permit with a rollbackId it has not
 * acted on drops its in-flight batches for the channel, clears the pipelines' context, and
 * then writes /rollbacks/<channel>/<node> = {rollbackId, at}. Whoever runs the ROLLBACK waits
 * for those, under the channel lock.
 */

export interface RollbackAck {
  rollbackId: string;
  /** The node's wall clock, display only. */
  at: string;
}

export interface AckResult {
  cleared: string[];
  unresponsive: string[];
}

/** Written by a node once it has acted on `rollbackId` (idempotent). */
export async function acknowledgeRollback(zk: ZkClient, channel: string, node: string, rollbackId: string): Promise<void> {
  const path = zkPaths.rollbackAck(channel, node);
  const data = JSON.stringify({ rollbackId, at: new Date().toISOString() } satisfies RollbackAck);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await zk.setData(path, data);
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NO_NODE') || attempt > 3) throw error;
    }
    try {
      await zk.mkdirp(zkPaths.channelRollbacks(channel));
      await zk.create(path, data);
      return;
    } catch (error) {
      if (!isFerryError(error, 'FERRY_ERR_ZK_NODE_EXISTS')) throw error; // created meanwhile: set it
    }
  }
}

/**
 * Waits until every node in `nodes` acknowledged `rollbackId`, up to `timeoutMs`. A node whose
 * registration vanishes stops being waited for (it is listed unresponsive: its session is gone,
 * and with it anything it could still commit is refused by the fence).
 */
export async function awaitRollbackAcks(zk: ZkClient, channel: string, nodes: readonly string[], rollbackId: string, timeoutMs: number, abandon?: () => boolean): Promise<AckResult> {
  const cleared = new Set<string>();
  const gone = new Set<string>();
  await waitOnZk(async (watch) => {
    const waiting = nodes.filter((node) => !cleared.has(node) && !gone.has(node));
    await Promise.all(waiting.map(async (node) => {
      const path = zkPaths.rollbackAck(channel, node);
      try {
        // exists() rather than getData(): only exists() sets a watch on a node not yet created.
        const ack = (await zk.exists(path, watch(`ack:${node}`))) === null ? undefined : await readRecord<RollbackAck>(zk, path);
        if (ack?.value.rollbackId === rollbackId) cleared.add(node);
        else if (!(await isLive(zk, node))) gone.add(node);
      } catch {
        // ZooKeeper trouble or a malformed ack: not acknowledged yet; the next poll looks again.
      }
    }));
    return cleared.size + gone.size === nodes.length;
  }, { timeoutMs, abandon });
  return { cleared: nodes.filter((node) => cleared.has(node)), unresponsive: nodes.filter((node) => !cleared.has(node)) };
}
