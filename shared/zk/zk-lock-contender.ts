import { isFerryError } from '../errors/index.ts';
import type { LockZk } from './zk-lock-handle.ts';

/**
 * Contender nodes of the lock recipe (shared/zk/zk-lock.ts): `<lockDir>/lock-<sequence>`,
 * ephemeral-sequential, holding who waits. The lowest sequence holds the lock.
 */

/** What a contender node holds, for whoever has to wait behind it. */
export interface ContenderData {
  owner: string;
  /** Wall clock of the contender, display only. */
  at: string;
  /** Unique per acquisition: tells our node apart from others of the same session. */
  contender: string;
}

const PREFIX = 'lock-';
const CREATE_ATTEMPTS = 3;

const sequenceOf = (name: string): number => Number(name.slice(-10));

/** Contender names in lock order (ZooKeeper appends a 10-digit sequence to the prefix). */
export const queueOf = (children: string[]): string[] => children.filter((c) => c.startsWith(PREFIX)).sort((a, b) => sequenceOf(a) - sequenceOf(b));

function parseContender(data: Buffer): Partial<ContenderData> {
  try {
    return JSON.parse(data.toString()) as Partial<ContenderData>;
  } catch {
    return {}; // a foreign node in the lock directory: it still queues by its sequence
  }
}

/** The owner a contender node names, or undefined when it is gone or unreadable. */
export async function ownerOf(zk: LockZk, path: string): Promise<string | undefined> {
  const node = await zk.getData(path).catch(() => undefined);
  return node && parseContender(node.data).owner;
}

/**
 * Creates our contender node and returns its name. The recipe's known pitfall: a create that
 * fails with connection loss may have created the node anyway. Retrying blindly would leave
 * that orphan ahead of us, and we would wait behind ourselves until the session ends; so look
 * for it (owned by our session, carrying our contender id) before creating again.
 */
export async function createContender(zk: LockZk, lockDir: string, data: ContenderData, stopped: () => boolean): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const created = await zk.create(`${lockDir}/${PREFIX}`, JSON.stringify(data), 'ephemeral-sequential');
      return created.slice(created.lastIndexOf('/') + 1);
    } catch (error) {
      // NO_NODE, NODE_EXISTS and the like are definite answers; only an unknown outcome is retried.
      if (!isFerryError(error, 'FERRY_ERR_ZK_OPERATION') || attempt >= CREATE_ATTEMPTS || stopped()) throw error;
      const own = await findOwnContender(zk, lockDir, data.contender);
      if (own !== undefined) return own;
    }
  }
}

async function findOwnContender(zk: LockZk, lockDir: string, contender: string): Promise<string | undefined> {
  for (const name of queueOf(await zk.getChildren(lockDir))) {
    const node = await zk.getData(`${lockDir}/${name}`).catch(() => undefined);
    if (node && node.ephemeralOwner === zk.sessionId && parseContender(node.data).contender === contender) return name;
  }
  return undefined;
}
