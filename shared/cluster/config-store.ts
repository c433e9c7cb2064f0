import { FerryError } from '../errors/index.ts';
import type { ZkClient, ZkOp } from '../zk/zk-client.ts';
import type { ChannelSpecT, ConfigSnapshot, DataSourceSpecT } from './model.ts';
import { ZK_PARENTS, zkPaths } from './zk-paths.ts';

/**
 * The configuration in ZooKeeper: data sources and channels under /config, and the
 * configuration epoch (the data version of /config/epoch).
 *
 * Every edit is one multi-op: the entity's own write plus a compare-and-set of the epoch at
 * the value it was validated against. Two managers editing at once therefore never both win:
 * the loser re-reads and re-validates (so "data source in use" stays true under races), and
 * when the caller named the version it read (If-Match), a changed entity is a 409 instead.
 */

export interface Versioned<T> {
  value: T;
  /** znode data version: send it back to update only what you read. */
  version: number;
}

/** A consistent read with each entity's version. */
export interface VersionedSnapshot {
  epoch: number;
  dataSources: Record<string, Versioned<DataSourceSpecT>>;
  channels: Record<string, Versioned<ChannelSpecT>>;
}

/** What an edit decides from a snapshot: the writes (the epoch bump is added here). */
export type EditPlan = (snapshot: VersionedSnapshot) => ZkOp[];

const MAX_EDIT_ATTEMPTS = 8;

export class ConfigStore {
  private constructor(private readonly zk: ZkClient) {}

  /** Creates the layout if missing (idempotent, safe from many processes at once). */
  static async open(zk: ZkClient): Promise<ConfigStore> {
    for (const parent of ZK_PARENTS) await zk.mkdirp(parent);
    await zk.mkdirp(zkPaths.configEpoch);
    return new ConfigStore(zk);
  }

  /** Current epoch; `watcher` fires once on the next edit. */
  async epoch(watcher?: () => void): Promise<number> {
    const version = await this.zk.exists(zkPaths.configEpoch, watcher && (() => watcher()));
    return version ?? 0;
  }

  /** A consistent read: retried until no edit landed while reading. */
  async read(): Promise<VersionedSnapshot> {
    for (;;) {
      const before = await this.epoch();
      const [dataSources, channels] = await Promise.all([
        this.readAll<DataSourceSpecT>(zkPaths.dataSources, zkPaths.dataSource),
        this.readAll<ChannelSpecT>(zkPaths.channels, zkPaths.channel),
      ]);
      if ((await this.epoch()) === before) return { epoch: before, dataSources, channels };
    }
  }

  /** The plain form nodes run from and cache. */
  async snapshot(): Promise<ConfigSnapshot> {
    return plainSnapshot(await this.read());
  }

  /**
   * Runs `plan` against a fresh snapshot and commits its writes with the epoch bump. A
   * concurrent edit makes it start over; `plan` throws to refuse (404, 409, 400).
   */
  async edit(plan: EditPlan): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await this.read();
      const ops = plan(snapshot);
      try {
        await this.zk.multi([...ops, { op: 'set', path: zkPaths.configEpoch, data: '', version: snapshot.epoch }]);
        return snapshot.epoch + 1;
      } catch (error) {
        const raced = error instanceof FerryError && (error.code === 'FERRY_ERR_ZK_BAD_VERSION' || error.code === 'FERRY_ERR_ZK_NODE_EXISTS' || error.code === 'FERRY_ERR_ZK_NO_NODE');
        if (!raced || attempt >= MAX_EDIT_ATTEMPTS) throw error;
      }
    }
  }

  private async readAll<T>(parent: string, pathOf: (name: string) => string): Promise<Record<string, Versioned<T>>> {
    const names = await this.zk.getChildren(parent);
    const entries = await Promise.all(names.map(async (name) => {
      try {
        const node = await this.zk.getData(pathOf(name));
        return [name, { value: JSON.parse(node.data.toString('utf8')) as T, version: node.version }] as const;
      } catch (error) {
        // Deleted between the listing and the read: the epoch check makes read() retry.
        if (error instanceof FerryError && error.code === 'FERRY_ERR_ZK_NO_NODE') return undefined;
        throw error;
      }
    }));
    return Object.fromEntries(entries.filter((e) => e !== undefined));
  }
}

export function plainSnapshot(snapshot: VersionedSnapshot): ConfigSnapshot {
  const plain = <T>(record: Record<string, Versioned<T>>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.value]));
  return { epoch: snapshot.epoch, dataSources: plain(snapshot.dataSources), channels: plain(snapshot.channels) };
}

/** Serialises a record for a znode. */
export const encode = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
