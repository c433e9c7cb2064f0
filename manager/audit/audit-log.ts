import { zkPaths } from '../../shared/cluster/zk-paths.ts';
import { isFerryError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logging.ts';
import type { ZkClient } from '../../shared/zk/zk-client.ts';
import type { AuditDraft, AuditEntry } from './audit-entry.ts';

/**
 * The audit log in ZooKeeper: one persistent-sequential znode per entry under /audit, written
 * by every manager; ZooKeeper's sequence gives the entries of all managers one order. Kept
 * bounded by count and age; any manager prunes, and several pruning at once only find some
 * entries already gone.
 */

export interface AuditRetention {
  /** Entries kept, newest first. @default 10000 */
  keep: number;
  /** Entries older than this are pruned. @default 90 days */
  maxAgeMs: number;
}

export const AUDIT_RETENTION: AuditRetention = { keep: 10_000, maxAgeMs: 90 * 86_400_000 };

export interface AuditQuery {
  /** @default 100 */
  limit?: number;
  /** Only entries with a smaller id (the previous page's `next`). */
  before?: number;
  by?: string;
  method?: string;
  /** Only entries whose path starts with this. */
  pathPrefix?: string;
  /** An exact status, or its class: 4 for 4xx. */
  status?: { exact: number } | { hundreds: number };
  /** Only entries received at or after / before these times (ms since the epoch). */
  sinceMs?: number;
  untilMs?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: string;
}

const PREFIX = zkPaths.auditPrefix.slice(zkPaths.audit.length + 1);
const READ_CHUNK = 50;
/** Managers' clocks may differ: a `since` scan reads this far past the first older entry. */
const CLOCK_SKEW_MS = 5 * 60_000;

const sequenceOf = (name: string): number => Number(name.slice(PREFIX.length));
const isNoNode = (error: unknown): boolean => isFerryError(error, 'FERRY_ERR_ZK_NO_NODE');

/** Appends one entry; returns it with its id. One attempt: a retried create could store it twice. */
export async function appendAuditEntry(zk: ZkClient, draft: AuditDraft): Promise<AuditEntry> {
  const body = JSON.stringify(draft);
  let created: string;
  try {
    created = await zk.create(zkPaths.auditPrefix, body, 'persistent-sequential');
  } catch (error) {
    // The NO_NODE answer means nothing was created: creating the parent and trying again cannot duplicate.
    if (!isNoNode(error)) throw error;
    await zk.mkdirp(zkPaths.audit);
    created = await zk.create(zkPaths.auditPrefix, body, 'persistent-sequential');
  }
  return { id: String(sequenceOf(created.slice(zkPaths.audit.length + 1))), ...draft };
}

function matches(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.by !== undefined && entry.by !== query.by) return false;
  if (query.method !== undefined && entry.method !== query.method) return false;
  if (query.pathPrefix !== undefined && !entry.path.startsWith(query.pathPrefix)) return false;
  if (query.status !== undefined) {
    if ('exact' in query.status ? entry.status !== query.status.exact : Math.floor(entry.status / 100) !== query.status.hundreds) return false;
  }
  const at = Date.parse(entry.at);
  if (query.sinceMs !== undefined && at < query.sinceMs) return false;
  if (query.untilMs !== undefined && at >= query.untilMs) return false;
  return true;
}

/** Newest first, one page. */
export async function listAuditEntries(zk: ZkClient, query: AuditQuery = {}): Promise<AuditPage> {
  const limit = query.limit ?? 100;
  const before = query.before ?? Number.POSITIVE_INFINITY;
  const names = (await auditNames(zk)).filter((name) => sequenceOf(name) < before).reverse();
  const entries: AuditEntry[] = [];
  // Read in chunks until one more than a page matches (so `next` is only given when there is more).
  for (let start = 0; start < names.length; start += READ_CHUNK) {
    const chunk = await Promise.all(names.slice(start, start + READ_CHUNK).map((name) => readEntry(zk, name)));
    for (const entry of chunk) {
      if (entry === undefined || !matches(entry, query)) continue;
      if (entries.length === limit) return { entries, next: entries[limit - 1]!.id };
      entries.push(entry);
    }
    const oldest = chunk.findLast((entry) => entry !== undefined);
    if (query.sinceMs !== undefined && oldest !== undefined && Date.parse(oldest.at) < query.sinceMs - CLOCK_SKEW_MS) break;
  }
  return { entries };
}

/** Entry znode names, oldest first. */
async function auditNames(zk: ZkClient): Promise<string[]> {
  try {
    const children = await zk.getChildren(zkPaths.audit);
    return children.filter((name) => name.startsWith(PREFIX)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
  } catch (error) {
    if (isNoNode(error)) return [];
    throw error;
  }
}

async function readEntry(zk: ZkClient, name: string): Promise<AuditEntry | undefined> {
  try {
    const node = await zk.getData(`${zkPaths.audit}/${name}`);
    return { id: String(sequenceOf(name)), ...(JSON.parse(node.data.toString()) as AuditDraft) };
  } catch (error) {
    if (isNoNode(error)) return undefined; // pruned between the listing and the read
    throw error;
  }
}

async function removeEntry(zk: ZkClient, name: string): Promise<void> {
  // Another manager pruning at the same time may have removed it first: that is fine.
  await zk.remove(`${zkPaths.audit}/${name}`).catch((error: unknown) => {
    if (!isNoNode(error)) throw error;
  });
}

/**
 * Removes entries beyond the newest `keep`, then the oldest entries received before
 * now - maxAgeMs (reading from the oldest until one is young enough). Returns how many it removed.
 */
export async function pruneAuditLog(zk: ZkClient, retention: AuditRetention, log?: Logger, nowMs = Date.now()): Promise<number> {
  const names = await auditNames(zk);
  const excess = Math.max(0, names.length - retention.keep);
  await Promise.all(names.slice(0, excess).map((name) => removeEntry(zk, name)));
  let removed = excess;
  const cutoff = nowMs - retention.maxAgeMs;
  for (const name of names.slice(excess)) {
    const entry = await readEntry(zk, name);
    if (entry !== undefined && Date.parse(entry.at) >= cutoff) break;
    if (entry !== undefined) await removeEntry(zk, name);
    removed++;
  }
  if (removed > 0) log?.debug({ pruned: removed }, 'audit log pruned');
  return removed;
}
