import { isFerryError } from '../errors/index.ts';
import type { Watcher, ZkClient } from '../zk/zk-client.ts';

/** A JSON record read from a znode, with the data version to compare-and-set against. */
export interface Stored<T> {
  value: T;
  version: number;
}

/** Reads a JSON znode; undefined when it does not exist. */
export async function readRecord<T>(zk: ZkClient, path: string, watcher?: Watcher): Promise<Stored<T> | undefined> {
  try {
    const node = await zk.getData(path, watcher);
    return { value: JSON.parse(node.data.toString('utf8')) as T, version: node.version };
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
    throw error;
  }
}
