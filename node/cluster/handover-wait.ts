import { setTimeout as sleep } from 'node:timers/promises';
import type { AssignmentRecord } from '../../shared/cluster/model.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';

/** How long a stopping node keeps its session for the leader to move its work. */
export const HANDOVER_WAIT_MS = 5_000;

/**
 * A stopping node keeps its session until no assignment names it any more (or the wait
 * ends). The leader moves the work of a 'leaving' node at once, but only if it reads that
 * state: a node that closed its session a few milliseconds after saying 'leaving' would look
 * like a crashed node, and its work would wait out the whole protection period.
 */
export async function waitForHandover(zk: ZkClient, nodeId: string, timeoutMs = HANDOVER_WAIT_MS): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!(await namesNode(zk, nodeId).catch(() => false))) return true;
    await sleep(100);
  }
  return false;
}

async function namesNode(zk: ZkClient, nodeId: string): Promise<boolean> {
  for (const pipeline of await zk.getChildren(zkPaths.assignments)) {
    const data = await zk.getData(zkPaths.assignment(pipeline)).catch(() => undefined);
    if (data && (JSON.parse(data.data.toString('utf8')) as AssignmentRecord).node === nodeId) return true;
  }
  return false;
}
