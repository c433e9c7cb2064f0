import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import { entryName, historyEntryNames, readHistoryEntry, type HistoryKind } from './history.ts';

/** How much configuration history is kept per entity. */
export interface HistoryRetention {
  /** Versions kept per data source, channel or token. @default 100 */
  versions: number;
  /** Versions older than this many days are dropped (the newest of an existing entity stays). @default 90 */
  days: number;
}

export const HISTORY_RETENTION_DEFAULTS: HistoryRetention = { versions: 100, days: 90 };

const DAY_MS = 86_400_000;
/** How often one manager sweeps every entity's history for age (each write prunes its own entity). */
const SWEEP_EVERY_MS = 3_600_000;
const KINDS: readonly HistoryKind[] = ['channels', 'datasources', 'tokens'];

/**
 * Pruning runs on whichever manager wrote, after the write; several may prune one entity at
 * once, so an entry already gone is fine, and a history parent is removed only once empty
 * (ZooKeeper refuses to remove one that a new edit wrote into meanwhile).
 */
export class HistoryPruner {
  private lastSweep = 0;

  constructor(private readonly zk: () => ZkClient, readonly retention: HistoryRetention = HISTORY_RETENTION_DEFAULTS, private readonly log?: Logger) {}

  /** After a change of `name`: prunes its history, and now and then everyone's. Never throws. */
  async afterWrite(kind: HistoryKind, name: string, now = Date.now()): Promise<void> {
    try {
      await this.prune(kind, name, now);
      if (now - this.lastSweep >= SWEEP_EVERY_MS) {
        this.lastSweep = now;
        await this.sweep(now);
      }
    } catch (error) {
      // The write itself landed; a later write prunes what this one could not.
      this.log?.warn({ err: error, kind, name }, 'configuration history not pruned');
    }
  }

  /** Every entity of every kind (also deleted ones, whose history nothing else would prune). */
  async sweep(now = Date.now()): Promise<void> {
    for (const kind of KINDS) {
      let names: string[];
      try {
        names = await this.zk().getChildren(zkPaths.configHistoryKind(kind));
      } catch (error) {
        if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) continue;
        throw error;
      }
      for (const name of names) await this.prune(kind, name, now);
    }
  }

  /**
   * Drops all but the newest `versions` entries, and entries older than `days` except the
   * newest one while the entity exists (it is the spec in force: the base of the next diff,
   * and what a revert of "the last change" needs). A deleted entity's history goes entirely
   * once its deletion is older than `days`.
   */
  async prune(kind: HistoryKind, name: string, now = Date.now()): Promise<void> {
    const zk = this.zk();
    const entries = await historyEntryNames(zk, kind, name);
    const doomed = new Set(entries.slice(0, Math.max(0, entries.length - this.retention.versions)).map((e) => e.version));
    const cutoff = now - this.retention.days * DAY_MS;
    for (const [index, entry] of entries.entries()) {
      if (doomed.has(entry.version)) continue;
      const record = await readHistoryEntry(zk, kind, name, entry.version);
      if (record === undefined) continue;
      if (Date.parse(record.at) >= cutoff) break; // versions grow with time: the rest are younger
      const newest = index === entries.length - 1;
      if (!newest || record.change === 'delete') doomed.add(entry.version);
    }
    const parent = zkPaths.configHistory(kind, name);
    for (const version of doomed) await removeQuietly(zk, `${parent}/${entryName(version)}`);
    if (doomed.size === entries.length && entries.length > 0) await removeQuietly(zk, parent);
  }
}

async function removeQuietly(zk: ZkClient, path: string): Promise<void> {
  try {
    await zk.remove(path);
  } catch (error) {
    // Another manager pruned it first, or an edit wrote a new entry into the parent meanwhile.
    if (!isFerryError(error, 'FERRY_ERR_ZK_NO_NODE') && !isFerryError(error, 'FERRY_ERR_ZK_NOT_EMPTY')) throw error;
  }
}
