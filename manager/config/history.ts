import { encode } from '../../shared/cluster/config-store.ts';
import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { ZkClient, ZkOp } from '../../shared/zk/zk-client.ts';
import { configDiff, type DiffItem } from './config-diff.ts';

/**
 * The configuration history: one znode per change of a data source, channel or token under
 * config-history/<kind>/<name>/v-<version>, written in the same multi-op as the change itself
 * (with its configuration-epoch compare-and-set), so no change lands without its entry and no
 * entry without its change.
 *
 * `version` is the configuration epoch the change produced. The epoch compare-and-set lets
 * exactly one edit move the epoch from E to E+1, so under any number of managers each version
 * is written once, versions of one entity only grow, and they survive the entity being deleted
 * and created again (an entity's own znode version would start over at 0). Versions of one
 * entity are therefore increasing but not consecutive: edits of other entities fall between.
 */

export type HistoryKind = 'channels' | 'datasources' | 'tokens';

/** Who made a change, and why when it was a revert. */
export interface ChangeOrigin {
  /** requester(request): 'api:<token name>'. */
  by: string;
  /** The version this change restored, when it was a revert. */
  revertOf?: number;
  /** Why, as the reverter said. */
  reason?: string;
}

export interface HistoryRecord {
  version: number;
  at: string;
  by: string;
  change: 'create' | 'update' | 'delete';
  /** The full spec after the change, as stored (a password only sealed); absent after a delete. */
  spec?: unknown;
  /** From the previous version, secrets masked (computed when written: older entries may be pruned). */
  diff: DiffItem[];
  revertOf?: number;
  reason?: string;
}

const PREFIX = 'v-';
/** Zero-padded so that names sort as versions do. */
export const entryName = (version: number): string => `${PREFIX}${String(version).padStart(12, '0')}`;
export const versionOf = (name: string): number | undefined => (name.startsWith(PREFIX) && /^\d+$/.test(name.slice(PREFIX.length)) ? Number(name.slice(PREFIX.length)) : undefined);

/**
 * The op writing the history entry of a change from `before` to `after` (undefined: absent),
 * for an edit planned on configuration epoch `epoch` (it commits epoch + 1).
 */
export function historyOp(kind: HistoryKind, name: string, epoch: number, origin: ChangeOrigin, before: unknown, after: unknown): ZkOp {
  const version = epoch + 1;
  const record: HistoryRecord = {
    version,
    at: new Date().toISOString(),
    by: origin.by,
    change: before === undefined ? 'create' : after === undefined ? 'delete' : 'update',
    ...(after === undefined ? {} : { spec: after }),
    diff: configDiff(before, after),
    ...(origin.revertOf === undefined ? {} : { revertOf: origin.revertOf }),
    ...(origin.reason === undefined ? {} : { reason: origin.reason }),
  };
  return { op: 'create', path: `${zkPaths.configHistory(kind, name)}/${entryName(version)}`, data: encode(record) };
}

/** The entity's history parent, made before an edit writes under it (idempotent). */
export const ensureHistoryParent = (zk: ZkClient, kind: HistoryKind, name: string): Promise<void> => zk.mkdirp(zkPaths.configHistory(kind, name));

/** The entry names of an entity, oldest first; none when it has no history. */
export async function historyEntryNames(zk: ZkClient, kind: HistoryKind, name: string): Promise<{ name: string; version: number }[]> {
  let names: string[];
  try {
    names = await zk.getChildren(zkPaths.configHistory(kind, name));
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return [];
    throw error;
  }
  return names.flatMap((n) => {
    const version = versionOf(n);
    return version === undefined ? [] : [{ name: n, version }];
  }).sort((a, b) => a.version - b.version);
}

/** One entry, or undefined when it does not exist (never written, or pruned meanwhile). */
export async function readHistoryEntry(zk: ZkClient, kind: HistoryKind, name: string, version: number): Promise<HistoryRecord | undefined> {
  try {
    const node = await zk.getData(`${zkPaths.configHistory(kind, name)}/${entryName(version)}`);
    return JSON.parse(node.data.toString('utf8')) as HistoryRecord;
  } catch (error) {
    if (isFerryError(error, 'FERRY_ERR_ZK_NO_NODE')) return undefined;
    throw error;
  }
}

/** Entries newest first: at most `limit`, older than `before` when given. */
export async function readHistory(zk: ZkClient, kind: HistoryKind, name: string, page: { limit: number; before?: number }): Promise<HistoryRecord[]> {
  const names = (await historyEntryNames(zk, kind, name)).reverse().filter((e) => page.before === undefined || e.version < page.before);
  const records: HistoryRecord[] = [];
  for (const entry of names) {
    if (records.length >= page.limit) break;
    const record = await readHistoryEntry(zk, kind, name, entry.version);
    if (record) records.push(record); // pruned between the listing and the read: skipped
  }
  return records;
}
